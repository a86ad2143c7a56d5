// ESLint (flat config): the recommended JavaScript and typescript-eslint rules, plus the direction
// of imports between the product folders: common/ imports none of them and stays browser-safe;
// runner/, extension/, language-server/ and webview/ import common/ but not each other (the language
// server reaches the runner only through its RPCs, never its code). `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import patterns a folder must not use, with the reason shown in the lint message. */
function forbid(patterns) {
  return { 'no-restricted-imports': ['error', { patterns }] };
}
const notRunner = {
  group: ['**/runner/src/**', '**/runner/src'],
  message: 'only the runner imports runner/; share through common/',
};
const notWebview = {
  group: ['**/webview/src/**', '**/webview/src'],
  message: 'only the webview imports webview/; share through common/',
};
const notExtension = {
  group: ['**/extension/src/**', '**/extension/src'],
  message: 'only the extension imports extension/; share through common/',
};
const notLanguageServer = {
  group: ['**/language-server/src/**', '**/language-server/src'],
  message: 'only the language server imports language-server/; share through common/',
};
const notNode = { group: ['node:*'], message: 'this folder runs in the browser too: no Node modules' };

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.cache/**',
      'test-artifacts/**',
      'runs/**',
      // generated
      'runner/src/data/xfel/slice-kernel-wasm.ts',
      'runner/src/data/xfel/structures-data.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // unused parameters and catch bindings named with a leading underscore say "deliberately unused"
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // `let { a, b } = ...` where only b is reassigned stays one declaration
      'prefer-const': ['error', { destructuring: 'all' }],
      // object literals with getters (the webview test hook) read the owner through `self`
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['common/**/*.ts'],
    rules: forbid([
      notRunner,
      notWebview,
      notExtension,
      notLanguageServer,
      notNode,
      { group: ['vscode'], message: 'common/ has no vscode API' },
    ]),
  },
  { files: ['runner/src/**/*.ts'], rules: forbid([notWebview, notExtension, notLanguageServer]) },
  { files: ['extension/src/**/*.ts'], rules: forbid([notRunner, notWebview, notLanguageServer]) },
  {
    files: ['language-server/src/**/*.ts'],
    rules: forbid([
      notRunner,
      notWebview,
      notExtension,
      { group: ['vscode'], message: 'the language server runs outside VS Code too: no vscode API' },
    ]),
  },
  { files: ['webview/src/**/*.ts'], rules: forbid([notRunner, notExtension, notNode, notLanguageServer]) },
);

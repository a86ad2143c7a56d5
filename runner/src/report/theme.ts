// A static stand-in for VS Code's Light Modern theme: the --vscode-* variables the explorer's CSS and
// canvas read, so the standalone report looks like the panel does in a light editor.
export const REPORT_LIGHT_THEME = `:root, body {
  --vscode-font-family: system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif;
  --vscode-font-size: 13px;
  --vscode-editor-font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  --vscode-editor-background: #ffffff;
  --vscode-editor-foreground: #3b3b3b;
  --vscode-foreground: #3b3b3b;
  --vscode-descriptionForeground: #717171;
  --vscode-disabledForeground: rgba(97, 97, 97, 0.5);
  --vscode-errorForeground: #f85149;
  --vscode-focusBorder: #005fb8;
  --vscode-panel-border: #e5e5e5;
  --vscode-sideBar-background: #f8f8f8;
  --vscode-editorWidget-background: #f8f8f8;
  --vscode-list-hoverBackground: #f2f2f2;
  --vscode-textLink-foreground: #005fb8;
  --vscode-textPreformat-foreground: #3b3b3b;
  --vscode-textCodeBlock-background: #f8f8f8;
  --vscode-button-background: #005fb8;
  --vscode-button-foreground: #ffffff;
  --vscode-button-hoverBackground: #0258a8;
  --vscode-button-border: rgba(0, 0, 0, 0.1);
  --vscode-button-secondaryBackground: #e5e5e5;
  --vscode-button-secondaryForeground: #3b3b3b;
  --vscode-button-secondaryHoverBackground: #cccccc;
  --vscode-input-background: #ffffff;
  --vscode-input-foreground: #3b3b3b;
  --vscode-input-border: #cecece;
  --vscode-charts-foreground: #616161;
  --vscode-charts-lines: rgba(97, 97, 97, 0.5);
  --vscode-charts-red: #e51400;
  --vscode-charts-blue: #1a85ff;
  --vscode-charts-yellow: #bf8803;
  --vscode-charts-orange: #d18616;
  --vscode-charts-green: #388a34;
  --vscode-charts-purple: #652d90;
}
body.report { max-width: 1400px; margin: 0 auto; }
`;

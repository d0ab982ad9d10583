// The toolbar and view-bar buttons that open a dialog, and the dialog each opens (the widths and
// keyboard specs go through every one).
export const DIALOGS = [
  ['versions-button', 'versions-dialog'],
  ['add-column-button', 'add-column-dialog'],
  ['merge-button', 'merge-dialog'],
  ['open-button', 'open-dialog'],
  ['download-button', 'download-dialog'],
  ['export-button', 'export-dialog'],
  ['save-table-button', 'save-table-dialog'],
  ['code-button', 'code-dialog'],
  ['keys-button', 'keys-overlay'],
] as const;

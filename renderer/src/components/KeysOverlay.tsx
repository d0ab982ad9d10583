// The keys, on one page: `?` anywhere outside a text field opens it, Escape closes it.
import { Modal } from './Modal';

export const KEYS: Array<[string, string]> = [
  ['← → ↑ ↓', 'move the focus in the grid'],
  ['Page Up / Page Down', 'a screen up or down'],
  ['Home / End', 'the first / last row'],
  ['Enter (or double click)', 'open the detail panel'],
  ['Escape', 'close the detail panel or a dialog; clear the selection'],
  ['S', 'find images similar to the focused one (with several selected: more like all of them)'],
  ['X', 'in similar results: less like the focused one (search again, away from it)'],
  ['Space', 'select or unselect the focused image (Shift-click: a range)'],
  ['Ctrl+A / ⌘A', 'select the whole view'],
  ['1 – 9', 'label the selection (or the focused image) with the active column’s value'],
  ['0', 'clear that label'],
  ['/', 'search captions'],
  ['Ctrl+O / ⌘O', 'open a dataset'],
  ['Alt+← / Alt+→', 'previous / next view'],
  ['Tab / Shift+Tab', 'move between buttons and fields'],
  ['?', 'this list'],
];

export function KeysOverlay({ onClose }: { onClose(): void }) {
  return (
    <Modal title="Keys" testId="keys-overlay" onClose={onClose}>
      <table className="versions" data-testid="keys-table">
        <tbody>
          {KEYS.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="modal-actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}

// nbassets in JupyterLab 4 and Notebook 7: the Assets panel in the right sidebar,
// cell marks on every open notebook, commands (palette, cell context menu,
// keyboard shortcuts) that run the active cell's asset, and saved widget state
// kept light (savedWidgets.ts).

import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, Notification } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { OutputArea, OutputAreaModel } from '@jupyterlab/outputarea';

import { AssetsConnection } from './connection';
import { CellMarks } from './marks';
import { keepSavedWidgetsLight } from './savedWidgets';
import { AssetsPanel, runRequest } from './panel';
import { IAssetRow, MaterializeMode } from './protocol';

const CATEGORY = 'nbassets';

export const CommandIDs = {
  showPanel: 'nbassets:show-panel',
  materializeCell: 'nbassets:materialize-cell',
  materializeDownstream: 'nbassets:materialize-cell-downstream',
  materializeStale: 'nbassets:materialize-stale',
  showLineage: 'nbassets:show-lineage',
  openAssetView: 'nbassets:open-asset-view'
};

/** What the page exposes for tests and other extensions: the connection of each notebook. */
export interface INbAssetsHandle {
  panel: AssetsPanel;
  connectionOf(notebook: NotebookPanel): AssetsConnection | undefined;
  marksOf(notebook: NotebookPanel): CellMarks | undefined;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'nbassets:plugin',
  description: 'nbassets: an Assets panel, cell status marks and commands.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null
  ) => {
    const connections = new Map<NotebookPanel, AssetsConnection>();
    const marks = new Map<NotebookPanel, CellMarks>();
    const panel = new AssetsPanel();
    app.shell.add(panel, 'right', { rank: 600 });

    const follow = (): void => {
      const current = tracker.currentWidget;
      panel.setConnection(current ? connections.get(current) ?? null : null);
    };
    tracker.widgetAdded.connect((_, notebook) => {
      keepSavedWidgetsLight(notebook);
      const connection = new AssetsConnection(notebook);
      connections.set(notebook, connection);
      marks.set(notebook, new CellMarks(connection));
      notebook.disposed.connect(() => {
        connections.delete(notebook);
        marks.delete(notebook);
        connection.dispose();
        follow();
      });
      follow();
    });
    tracker.currentChanged.connect(follow);
    follow();

    /** The active notebook's connection and the rows its active cell defines. */
    const context = (): { connection: AssetsConnection; rows: IAssetRow[] } | null => {
      const notebook = tracker.currentWidget;
      const connection = notebook ? connections.get(notebook) : undefined;
      if (!notebook || !connection) {
        return null;
      }
      const cellId = notebook.content.activeCell?.model.id;
      const rows = cellId ? connection.rowsByCell().get(cellId) ?? [] : [];
      return { connection, rows };
    };

    const cellAssets = (): { connection: AssetsConnection; keys: string[] } | null => {
      const found = context();
      if (found === null) {
        return null;
      }
      if (found.connection.state !== 'connected') {
        Notification.warning(found.connection.advice(), { autoClose: 5000 });
        return null;
      }
      if (found.rows.length === 0) {
        Notification.info(
          'This cell defines no asset the kernel knows: run an %%asset cell first.',
          { autoClose: 5000 }
        );
        return null;
      }
      return { connection: found.connection, keys: found.rows.map(row => row.key) };
    };

    const materializeCell = (mode: MaterializeMode) => async () => {
      const found = cellAssets();
      if (found) {
        const what = found.keys.join(', ') + (mode === 'downstream' ? ' and downstream' : '');
        await runRequest(found.connection, { request: 'materialize', keys: found.keys, mode },
          `Materializing ${what}`);
      }
    };
    const hasCellAsset = (): boolean => (context()?.rows.length ?? 0) > 0;
    const isConnected = (): boolean => context()?.connection.state === 'connected';

    app.commands.addCommand(CommandIDs.showPanel, {
      label: 'Show Assets Panel',
      caption: 'Open the nbassets panel in the right sidebar',
      execute: () => app.shell.activateById(panel.id)
    });
    app.commands.addCommand(CommandIDs.materializeCell, {
      label: "Materialize This Cell's Asset",
      isEnabled: hasCellAsset,
      execute: materializeCell('selected')
    });
    app.commands.addCommand(CommandIDs.materializeDownstream, {
      label: "Materialize This Cell's Asset and Downstream",
      isEnabled: hasCellAsset,
      execute: materializeCell('downstream')
    });
    app.commands.addCommand(CommandIDs.materializeStale, {
      label: 'Materialize Everything Stale',
      isEnabled: isConnected,
      execute: async () => {
        const found = context();
        if (!found || found.connection.state !== 'connected') {
          Notification.warning(found?.connection.advice() ?? 'Open a notebook first.', {
            autoClose: 5000
          });
          return;
        }
        await runRequest(found.connection, { request: 'materialize_stale' },
          'Materializing everything stale');
      }
    });
    app.commands.addCommand(CommandIDs.showLineage, {
      label: "Show Lineage of This Cell's Asset",
      isEnabled: hasCellAsset,
      execute: () => {
        const found = cellAssets();
        if (found) {
          app.shell.activateById(panel.id);
          panel.setFilter(found.keys.map(key => `+key:${JSON.stringify(key)}+`).join(' or '));
        }
      }
    });
    app.commands.addCommand(CommandIDs.openAssetView, {
      label: "Open This Cell's Asset View",
      isEnabled: hasCellAsset,
      execute: async () => {
        const found = cellAssets();
        const notebook = tracker.currentWidget;
        if (!found || !notebook) {
          return;
        }
        const key = found.keys[0];
        // Trusted: the output comes from our own code run at the user's request, and the
        // widget renderer (unsafe by Lab's definition) needs it.
        const area = new OutputArea({
          model: new OutputAreaModel({ trusted: true }),
          rendermime: notebook.content.rendermime
        });
        const view = new MainAreaWidget({ content: area });
        view.id = `nbassets-asset-view-${Date.now()}`;
        view.title.label = `Asset ${key}`;
        view.title.closable = true;
        view.addClass('nbassets-asset-view');
        app.shell.add(view, 'main', { mode: 'split-right', ref: notebook.id });
        // The key travels as a JSON string, which is also a valid Python string literal:
        // nothing the user named an asset can become code.
        const show = JSON.stringify(`show ${key}`);
        const code =
          '__import__("IPython.display", fromlist=["display"]).display(' +
          `get_ipython().run_line_magic("assets", ${show}))`;
        const kernel = notebook.sessionContext.session?.kernel;
        if (!kernel) {
          Notification.warning('This notebook has no kernel.', { autoClose: 5000 });
          return;
        }
        // Outside the notebook's history: no execution number is used up.
        const future = kernel.requestExecute({ code, store_history: false, stop_on_error: true });
        area.future = future;
        await future.done;
      }
    });

    const cellCommands = [
      CommandIDs.materializeCell,
      CommandIDs.materializeDownstream,
      CommandIDs.showLineage,
      CommandIDs.openAssetView
    ];
    cellCommands.forEach((command, index) =>
      app.contextMenu.addItem({ command, selector: '.jp-Notebook .jp-CodeCell', rank: 20 + index })
    );
    app.contextMenu.addItem({ command: CommandIDs.materializeStale, selector: '.jp-Notebook', rank: 25 });
    const keys: [string, string[]][] = [
      [CommandIDs.materializeCell, ['Accel Alt M']],
      [CommandIDs.materializeDownstream, ['Accel Alt Shift M']],
      [CommandIDs.materializeStale, ['Accel Alt S']],
      [CommandIDs.showLineage, ['Accel Alt L']]
    ];
    for (const [command, sequence] of keys) {
      app.commands.addKeyBinding({ command, keys: sequence, selector: '.jp-Notebook' });
    }
    if (palette) {
      for (const command of [CommandIDs.showPanel, ...cellCommands, CommandIDs.materializeStale]) {
        palette.addItem({ command, category: CATEGORY });
      }
    }

    const handle: INbAssetsHandle = {
      panel,
      connectionOf: notebook => connections.get(notebook),
      marksOf: notebook => marks.get(notebook)
    };
    (window as any).nbassets = handle;
  }
};

export default plugin;

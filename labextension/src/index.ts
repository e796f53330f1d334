import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'nbassets:plugin',
  autoStart: true,
  activate: (_app: JupyterFrontEnd) => {}
};
export default plugin;

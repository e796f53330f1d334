// lineage.js is plain JavaScript typed with JSDoc; this is the part the panel calls.
declare module 'nbassets-lineage-view' {
  const view: {
    render(props: { model: unknown; el: HTMLElement }): void | (() => void);
  };
  export default view;
}

// Extra webpack settings merged into @jupyter/builder's: the Assets panel draws its
// compact lineage with the lineage widget's own view module, bundled from the Python
// package rather than copied, so the two pictures never diverge.
const path = require('path');

module.exports = {
  resolve: {
    alias: {
      'nbassets-lineage-view': path.resolve(__dirname, '../nbassets/widgets/static/lineage.js'),
      'nbassets-lineage-style': path.resolve(__dirname, '../nbassets/widgets/static/lineage.css')
    }
  }
};

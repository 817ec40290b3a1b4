/* Territory picker: a select2 multi-value input fed by datagrandest_territory_autocomplete.
 *
 * The input keeps a plain comma-separated list of codes, so the form also works without
 * JavaScript; data-module-labels maps the codes already chosen to their display labels.
 */
this.ckan.module('datagrandest-territories', function ($) {
  return {
    options: {
      source: '/api/3/action/datagrandest_territory_autocomplete',
      labels: {},
      limit: 15,
      multiple: true
    },

    initialize: function () {
      var labels = this.options.labels || {};
      var limit = this.options.limit;
      this.el.select2({
        multiple: this.options.multiple,
        width: 'resolve',
        minimumInputLength: 1,
        tokenSeparators: [','],
        ajax: {
          url: this.options.source,
          dataType: 'json',
          quietMillis: 250,
          data: function (term) {
            return {q: term, limit: limit};
          },
          results: function (data) {
            return {
              results: $.map(data.result || [], function (item) {
                return {id: item.code, text: item.label};
              })
            };
          }
        },
        initSelection: function (element, callback) {
          var chosen = $.map(element.val().split(','), function (code) {
            code = $.trim(code);
            return code ? {id: code, text: labels[code] || code} : null;
          });
          callback(this.multiple === false ? chosen[0] : chosen);
        }
      });
    }
  };
});

/* Territory picker: a select2 input fed by datagrandest_territory_autocomplete.
 *
 * The input keeps a plain comma-separated list of codes, so the form also works without
 * JavaScript; data-module-labels maps the codes already chosen to their display labels, so
 * that a page opened with ?territory=67482 shows "Strasbourg (commune, 67)", not the code.
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
      // select2 calls initSelection with no `this`: keep the option in the closure.
      var multiple = this.options.multiple !== false && this.options.multiple !== 'false';
      this.el.select2({
        multiple: multiple,
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
                return {id: item.code, text: item.label, postal: item.matched_postal_code};
              })
            };
          }
        },
        // A postal-code match says which code matched: "Strasbourg (commune, 67) – 67000".
        formatResult: function (result, container, query, escapeMarkup) {
          var text = result.postal ? result.text + ' – ' + result.postal : result.text;
          return escapeMarkup(text);
        },
        initSelection: function (element, callback) {
          var chosen = $.map(element.val().split(','), function (code) {
            code = $.trim(code);
            return code ? {id: code, text: labels[code] || code} : null;
          });
          callback(multiple ? chosen : chosen[0]);
        }
      });
    }
  };
});

/* Map previews of WMS and WFS services, asked by the visitor's browser itself (service_maps.py).
 * Runs in geoview's OpenLayers viewer after its scripts, before CKAN starts its modules: it
 * gives the viewer our own readers of WMS and WFS (the WFS as GeoJSON), and says in the page
 * why there is no map when the service cannot be read, instead of an empty map. */
(function () {
  'use strict';
  var settings = document.getElementById('dge-service-map');
  if (!settings || !window.ckan || !ckan.geoview || !ckan.geoview.layerExtractors || !window.OL_HELPERS) {
    return;
  }
  var service = JSON.parse(settings.getAttribute('data-service'));
  var text = JSON.parse(settings.getAttribute('data-messages'));
  var shown = false;
  var answered = false;
  var waitingNote = null;

  function problem(message) {
    if (shown) { return; }
    shown = true;
    var note = document.createElement('p');
    if (message === text.silent) { waitingNote = note; }
    note.className = 'dge-map-problem';
    note.setAttribute('role', 'alert');
    note.textContent = message;
    var preview = document.getElementById('data-preview') || document.body;
    preview.insertBefore(note, preview.firstChild);
  }

  function answer() {
    answered = true;
    clearTimeout(silence);
    if (waitingNote) {
      // a slow service answered after all: its own outcome replaces "not answered yet"
      waitingNote.remove();
      waitingNote = null;
      shown = false;
    }
  }

  // Geoview's WMS reader leaves its last failure unhandled; the message above says it.
  window.addEventListener('unhandledrejection', function (event) {
    if (shown && /capabilities/i.test(String(event.reason))) { event.preventDefault(); }
  });

  var silence = setTimeout(function () { if (!answered) { problem(text.silent); } }, 20000);

  // Public services allow any site (Access-Control-Allow-Origin: *), which browsers refuse for
  // requests sent with credentials, as geoview's helpers send them: another site's service
  // gets none of them.
  var nativeFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    var url = typeof input === 'string' ? input : input.url;
    if (new URL(url, window.location.href).origin !== window.location.origin) {
      init = Object.assign({}, init || {}, { credentials: 'omit' });
    }
    return nativeFetch(input, init);
  };

  function withParams(base, params) {
    var glue = base.indexOf('?') < 0 ? '?' : (/[?&]$/.test(base) ? '' : '&');
    return base + glue + new URLSearchParams(params).toString();
  }

  function bare(name) {
    return String(name).split(':').pop();
  }

  function wms(resource, proxyUrl, proxyServiceUrl, addLayer, map) {
    var failedImages = false;
    OL_HELPERS.withWMSLayers(service.url, service.url, function (layer) {
      layer.getSource().on(['tileloaderror', 'imageloaderror'], function () {
        if (!failedImages) { failedImages = true; problem(text.images); }
      });
      addLayer(layer);
    }, service.layers.length ? service.layers : undefined, true, map).then(function (layers) {
      answer();
      if (!layers || !layers.length) { problem(text.no_layer); }
    }, function () {
      answer();
      problem(text.unreachable);
    });
  }

  function wfs(resource, proxyUrl, proxyServiceUrl, addLayer, map) {
    fetch(withParams(service.url, { SERVICE: 'WFS', REQUEST: 'GetCapabilities' }))
      .then(function (response) {
        if (!response.ok) { throw new Error('HTTP ' + response.status); }
        return response.text();
      })
      .then(function (xml) {
        var capabilities = OL_HELPERS.parseWfsCapabilities(jQuery.parseXML(xml));
        var types = capabilities.featureTypes.filter(function (type) {
          return !service.layers.length || service.layers.some(function (name) { return bare(name) === bare(type.name); });
        });
        if (!types.length) { throw 'no_layer'; }
        var type = types[0];
        var version = capabilities.version || '2.0.0';
        var params = { SERVICE: 'WFS', VERSION: version, REQUEST: 'GetFeature', OUTPUTFORMAT: 'application/json', SRSNAME: 'EPSG:4326' };
        if (version.charAt(0) === '2') {
          params.TYPENAMES = type.name;
          params.COUNT = '1000';
        } else {
          params.TYPENAME = type.name;
          params.MAXFEATURES = '1000';
        }
        return fetch(withParams(service.url, params)).then(function (response) {
          if (!response.ok) { throw 'no_geojson'; }
          return response.json().catch(function () { throw 'no_geojson'; });
        }).then(function (collection) {
          var features = new ol.format.GeoJSON().readFeatures(collection, {
            dataProjection: 'EPSG:4326',
            featureProjection: map.getView().getProjection()
          });
          answer();
          addLayer(new ol.layer.Vector({ title: type.title || type.name, source: new ol.source.Vector({ features: features }) }));
          if (!features.length) { problem(text.empty); }
        });
      })
      .catch(function (error) {
        answer();
        problem(text[error] || text.unreachable);
      });
  }

  var extractors = ckan.geoview.layerExtractors;
  extractors.wms = extractors.wms_srvc = wms;
  extractors.wfs = extractors.wfs_srvc = wfs;
})();

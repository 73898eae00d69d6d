// The page's worker: holds the WebAssembly module (inlined by scripts/web.sh as WASM_BASE64,
// after wasm-bindgen's no-modules glue, which defines `wasm_bindgen`) and one Batch. Files are
// checked one at a time, in the order they arrive, so the page stays responsive.
/* global wasm_bindgen, WASM_BASE64 */
'use strict';

var batch = null;
// Every input checked so far, to rebuild the batch if the module ever traps (a trap leaves an
// instance unusable; the fuzzing says the reader does not, but a page must not lose the batch).
var inputs = [];

function wasmBytes() {
  var text = atob(WASM_BASE64);
  var bytes = new Uint8Array(text.length);
  for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function start() {
  return wasm_bindgen({ module_or_path: wasmBytes() }).then(function () {
    batch = new wasm_bindgen.Batch();
  });
}

function restart() {
  return start().then(function () {
    inputs.forEach(function (f) { batch.add_as(f.name, f.stem, f.bytes); });
  });
}

var ready = start().then(function () {
  self.postMessage({ type: 'ready', editions: wasm_bindgen.editions() });
}, function (e) {
  self.postMessage({ type: 'fatal', message: String(e && e.message || e) });
});

function check(msg) {
  var bytes = new Uint8Array(msg.bytes);
  var data;
  try {
    data = JSON.parse(batch.add(msg.name, bytes));
  } catch (e) {
    // The module trapped on this file: say so for it and go on with a fresh instance.
    self.postMessage({ type: 'result', id: msg.id, crashed: String(e && e.message || e) });
    return restart();
  }
  inputs.push({ name: msg.name, stem: data.stem, bytes: bytes });
  var outputs = [];
  var transfer = [];
  data.outputs.forEach(function (o, i) {
    var b = o.error ? null : batch.output(data.index, i);
    outputs.push(b);
    if (b) transfer.push(b.buffer);
  });
  self.postMessage({ type: 'result', id: msg.id, data: data, outputs: outputs }, transfer);
}

var queue = Promise.resolve();
self.onmessage = function (ev) {
  var msg = ev.data;
  queue = queue.then(function () { return ready; }).then(function () {
    if (!batch) return;
    if (msg.type === 'plan') return batch.plan(msg.names);
    if (msg.type === 'add') return check(msg);
    if (msg.type === 'bundle') {
      try {
        var zip = batch.bundle();
        self.postMessage({ type: 'bundle', bytes: zip }, [zip.buffer]);
      } catch (e) {
        self.postMessage({ type: 'bundle', error: String(e && e.message || e) });
      }
    } else if (msg.type === 'template') {
      try {
        var t = wasm_bindgen.template(msg.id);
        self.postMessage({ type: 'template', name: msg.name, bytes: t }, [t.buffer]);
      } catch (e) {
        self.postMessage({ type: 'template', error: String(e && e.message || e) });
      }
    } else if (msg.type === 'clear') {
      batch.clear();
      inputs = [];
    }
  });
};

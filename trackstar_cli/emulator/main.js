/* The emulator's stand-in for https://link.trackstarhq.com/main.js.
 *
 * Same global API as Trackstar's script (as @trackstar/react-trackstar-link uses it):
 *   window.Trackstar.init({getLinkToken, onSuccess, onClose, onLoad, sandbox, integrationAllowList,
 *                          integrationBlockList, integrationsWithEndpoints, ...})
 *   window.Trackstar.open({integrationId})   window.Trackstar.close()   window.Trackstar.state.isLoaded
 * open() asks getLinkToken() for a link token and shows the emulator's Link page (/_emulator/link) in an
 * iframe overlay; the page hands the auth code back with postMessage, and onSuccess(authCode,
 * integrationName, close) is called. The overlay stays open after a success (Trackstar's React wrapper passes
 * `close` for that); closing it, by its button or by close(), calls onClose.
 * Messages are accepted only from the iframe and only from the origin this script was loaded from.
 */
(function () {
  "use strict";
  var current = document.currentScript;
  var ORIGIN = new URL(current && current.src ? current.src : "/", window.location.href).origin;
  var SOURCE = "trackstar-emulator-link";
  var config = null;
  var overlay = null;
  var frame = null;

  function list(value) {
    return Array.isArray(value) ? value.filter(function (v) { return typeof v === "string" && v; }) : [];
  }

  function init(options) {
    if (!options || typeof options.getLinkToken !== "function") {
      throw new Error("Trackstar.init: getLinkToken (a function returning a link token) is required");
    }
    if (typeof options.onSuccess !== "function") {
      throw new Error("Trackstar.init: onSuccess is required");
    }
    config = options;
    api.state.isLoaded = true;
    if (typeof options.onLoad === "function") {
      setTimeout(options.onLoad, 0);
    }
  }

  function pageUrl(linkToken, integrationId) {
    var params = new URLSearchParams();
    params.set("link_token", linkToken);
    params.set("embed", "1");
    params.set("parent_origin", window.location.origin);
    params.set("sandbox", config.sandbox ? "true" : "false");
    var allow = integrationId ? [integrationId] : list(config.integrationAllowList);
    var lists = {
      integration_allow_list: allow,
      integration_block_list: list(config.integrationBlockList),
      integrations_with_endpoints: list(config.integrationsWithEndpoints),
    };
    Object.keys(lists).forEach(function (key) {
      if (lists[key].length) params.set(key, lists[key].join(","));
    });
    return ORIGIN + "/_emulator/link?" + params.toString();
  }

  function show(url) {
    overlay = document.createElement("div");
    overlay.id = "trackstar-link-overlay";
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;display:grid;place-items:center;" +
      "background:rgba(0,0,0,.45)";
    frame = document.createElement("iframe");
    frame.id = "trackstar-link-frame";
    frame.title = "Trackstar Link (emulator)";
    frame.src = url;
    frame.style.cssText = "width:min(480px,96vw);height:min(640px,92vh);border:0;border-radius:14px;" +
      "background:#fff;box-shadow:0 12px 40px rgba(0,0,0,.35)";
    overlay.appendChild(frame);
    document.body.appendChild(overlay);
    api.state.isOpen = true;
  }

  function open(options) {
    if (!config) throw new Error("Trackstar is not initialized");
    if (overlay) return Promise.resolve();
    var integrationId = options && typeof options.integrationId === "string" ? options.integrationId : "";
    return Promise.resolve(config.getLinkToken()).then(function (token) {
      if (typeof token !== "string" || !token) throw new Error("getLinkToken did not return a link token");
      if (!overlay) show(pageUrl(token, integrationId));
    });
  }

  function close() {
    if (!overlay) return;
    overlay.remove();
    overlay = null;
    frame = null;
    api.state.isOpen = false;
    if (config && typeof config.onClose === "function") config.onClose();
  }

  function onMessage(event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== ORIGIN) return;
    var data = event.data;
    if (!data || data.source !== SOURCE) return;
    if (data.type === "success" && typeof data.auth_code === "string") {
      config.onSuccess(data.auth_code, String(data.integration_name || ""), close);
    } else if (data.type === "close") {
      close();
    }
  }

  var api = { init: init, open: open, close: close, state: { isLoaded: false, isOpen: false } };
  window.addEventListener("message", onMessage);
  window.Trackstar = api;
})();

/* "Enable notifications on this device" on the notification settings page.
   On: ask the permission, register the service worker (/sw.js shows the pushes),
   subscribe with the site's VAPID public key and POST the subscription to the
   portal. Off: unsubscribe the browser and tell the portal. Every text comes
   translated from the page (data-msg-*); the CSRF token from data-csrf. */
(function () {
  "use strict";
  var box = document.getElementById("push-device");
  if (!box) { return; }
  var toggle = document.getElementById("push-switch");
  var status = document.getElementById("push-status");
  box.hidden = false;

  function say(key) { status.textContent = box.getAttribute("data-msg-" + key) || ""; }

  var supported = window.isSecureContext && "serviceWorker" in navigator && "PushManager" in window &&
    "Notification" in window;
  if (!supported) { toggle.disabled = true; say("unsupported"); return; }
  if (Notification.permission === "denied") { toggle.disabled = true; say("denied"); return; }

  function keyBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  function sameKey(subscription, key) {
    var used = subscription.options && subscription.options.applicationServerKey;
    if (!used) { return true; }  // the browser does not say: keep it
    var a = new Uint8Array(used);
    if (a.length !== key.length) { return false; }
    for (var i = 0; i < a.length; i++) { if (a[i] !== key[i]) { return false; } }
    return true;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": box.getAttribute("data-csrf") },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok && response.status !== 404) { throw new Error("HTTP " + response.status); }
      return response;
    });
  }

  function asJson(subscription) {
    var data = subscription.toJSON();
    return { endpoint: data.endpoint, keys: { p256dh: data.keys.p256dh, auth: data.keys.auth } };
  }

  function permission() {
    return new Promise(function (resolve) {  // older Safari: a callback, not a promise
      var asked = Notification.requestPermission(resolve);
      if (asked && asked.then) { asked.then(resolve); }
    });
  }

  function worker() {
    return navigator.serviceWorker.register(box.getAttribute("data-sw"))
      .then(function () { return navigator.serviceWorker.ready; });
  }

  function enable() {
    var key = keyBytes(box.getAttribute("data-key"));
    return permission().then(function (answer) {
      if (answer !== "granted") { throw new Error(answer === "denied" ? "denied" : "dismissed"); }
      return worker();
    }).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (existing) {
        if (existing && sameKey(existing, key)) { return existing; }
        var stale = existing ? existing.unsubscribe() : Promise.resolve();
        return stale.then(function () {
          return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
        });
      });
    }).then(function (subscription) {
      return post(box.getAttribute("data-subscribe"), asJson(subscription));
    });
  }

  function disable() {
    return navigator.serviceWorker.getRegistration().then(function (registration) {
      return registration ? registration.pushManager.getSubscription() : null;
    }).then(function (subscription) {
      if (!subscription) { return null; }
      var body = { endpoint: subscription.endpoint };
      return subscription.unsubscribe().then(function () {
        return post(box.getAttribute("data-unsubscribe"), body);
      });
    });
  }

  toggle.addEventListener("change", function () {
    var on = toggle.checked;
    toggle.disabled = true;
    say("working");
    (on ? enable() : disable()).then(function () {
      toggle.disabled = false;
      say(on ? "on" : "off");
    }, function (error) {
      toggle.checked = !on;
      var reason = error && error.message;
      if (reason === "denied") { say("denied"); return; }  // stays disabled: only the browser settings help
      toggle.disabled = false;
      say(reason === "dismissed" ? "dismissed" : "error");
    });
  });

  // The switch shows whether this browser is subscribed; the portal is told again
  // (it may have dropped the subscription, or another user signed in here before).
  navigator.serviceWorker.getRegistration().then(function (registration) {
    return registration ? registration.pushManager.getSubscription() : null;
  }).then(function (subscription) {
    toggle.checked = Boolean(subscription) && Notification.permission === "granted";
    say(toggle.checked ? "on" : "off");
    if (toggle.checked) { return post(box.getAttribute("data-subscribe"), asJson(subscription)); }
    return null;
  }).catch(function () { /* the switch still works */ });
}());

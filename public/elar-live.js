// Live status for an ELAR page (SPEC E4): an application's page, or the dashboard. The page
// is complete without this script: it only keeps an open page current, from the server's
// stream of the person's own timeline (GET /elar/applications/events), and says what
// changed in the page's live region.
(function () {
  'use strict';
  var root = document.querySelector('[data-live-status]');
  if (!root || typeof EventSource !== 'function') return;
  var applicationId = root.getAttribute('data-live-application');
  var last = root.getAttribute('data-last-event-id') || '';
  var announcer = document.querySelector('[data-live-announcer]');
  var CLOSED = ['approved', 'denied', 'withdrawn'];

  // The application page shows one application; the dashboard (no data-live-application)
  // a row for each of the person's applications.
  function show(change) {
    if (applicationId) {
      if (change.applicationId !== applicationId) return;
      showOnApplicationPage(change);
    } else {
      showOnDashboard(change);
    }
    if (announcer)
      announcer.textContent = 'Application ' + change.reference + ': ' + change.stateName + '. ' + change.text;
  }

  function showStatus(scope, change) {
    var status = scope.querySelector('[data-application-status]');
    if (status) {
      status.textContent = change.stateName;
      status.setAttribute('data-application-status', change.state);
    }
  }

  function showOnApplicationPage(change) {
    showStatus(document, change);
    var explanation = document.querySelector('[data-state-explanation]');
    if (explanation) explanation.textContent = change.explanation;
    var timeline = document.querySelector('[data-timeline]');
    if (timeline) {
      var item = document.createElement('li');
      item.className = 'usa-process-list__item';
      var heading = document.createElement('p');
      heading.className = 'usa-process-list__heading';
      heading.textContent = change.text;
      var when = document.createElement('p');
      when.appendChild(timeOf(change));
      item.appendChild(heading);
      item.appendChild(when);
      timeline.appendChild(item);
    }
    // What can be done changes with the state: the buttons that no longer apply go.
    if (change.state !== 'awaiting-payment') removeAll('[data-pay]');
    if (CLOSED.indexOf(change.state) >= 0) removeAll('[data-withdraw]');
  }

  function showOnDashboard(change) {
    // Compared, not put in a selector: the id comes from the stream.
    var rows = document.querySelectorAll('[data-application-id]');
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute('data-application-id') !== change.applicationId) continue;
      showStatus(rows[i], change);
      var cell = rows[i].querySelector('[data-application-change]');
      if (cell) {
        cell.textContent = change.text + ' ';
        cell.appendChild(timeOf(change));
      }
    }
    // A draft to finish or a fee to pay is done with once the application has moved on.
    var actions = document.querySelectorAll('[data-action-for]');
    for (var j = 0; j < actions.length; j++) {
      var action = actions[j];
      if (action.getAttribute('data-action-for') !== change.applicationId) continue;
      if (action.getAttribute('data-action-state') !== change.state) action.parentNode.removeChild(action);
    }
  }

  function timeOf(change) {
    var time = document.createElement('time');
    time.setAttribute('datetime', change.at);
    time.textContent = change.when;
    return time;
  }

  function removeAll(selector) {
    var found = document.querySelectorAll(selector);
    for (var i = 0; i < found.length; i++) found[i].parentNode.removeChild(found[i]);
  }

  function connect() {
    var source = new EventSource(
      '/elar/applications/events' + (last ? '?lastEventId=' + encodeURIComponent(last) : ''),
    );
    source.addEventListener('status', function (event) {
      last = event.lastEventId || last;
      show(JSON.parse(event.data));
    });
    source.onerror = function () {
      // The browser reconnects by itself after a dropped connection; after a refusal (503,
      // or a sign-in that ended) it gives up, so try again later from the last entry seen.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 30000);
    };
  }
  connect();
})();

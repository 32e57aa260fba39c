// KDumpCloud dashboard: the page's only script. Pages work without it; it shows times in the viewer's zone.
(function () {
  'use strict';
  var format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
  document.querySelectorAll('time[datetime]').forEach(function (element) {
    var at = new Date(element.getAttribute('datetime'));
    if (!isNaN(at.getTime())) {
      element.title = element.textContent + ' (' + zone + ': ' + format.format(at) + ')';
      element.textContent = format.format(at);
      element.classList.add('local');
    }
  });
  var footer = document.querySelector('footer');
  if (footer) {
    footer.textContent = 'Times are shown in your time zone (' + zone + '); days in charts are UTC days.';
  }
  // Filters apply as soon as a choice is made.
  document.querySelectorAll('#filters select').forEach(function (select) {
    select.addEventListener('change', function () { select.form.submit(); });
  });
  // Merging cannot be undone from here: ask first.
  document.querySelectorAll('form.merge').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      var from = form.querySelector('input[name=from]').value;
      if (!window.confirm('Merge group ' + from + ' into this one? Its occurrences will count here from now on.')) {
        event.preventDefault();
      }
    });
  });
  // Highlight the current section in the navigation.
  var section = location.pathname.indexOf('/groups') === 0 ? 'groups' : location.pathname === '/' ? 'overview' : null;
  if (section) {
    var link = document.querySelector('nav a[data-nav=' + section + ']');
    if (link) { link.classList.add('current'); }
  }
})();

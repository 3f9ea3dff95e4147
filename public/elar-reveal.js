// Conditional reveal for a yes/no question whose "yes" needs an explanation (ELAR's
// character questions). Without this script the explanation is always shown and needed only
// for a yes; with it, the explanation shows once "Yes" is chosen.
(function () {
  'use strict';
  var boxes = document.querySelectorAll('[data-reveal-for]');
  Array.prototype.forEach.call(boxes, function (box) {
    var radios = document.querySelectorAll(
      'input[type="radio"][name="' + CSS.escape(box.getAttribute('data-reveal-for')) + '"]',
    );
    function update() {
      var yes = Array.prototype.some.call(radios, function (radio) {
        return radio.value === 'yes' && radio.checked;
      });
      box.hidden = !yes;
    }
    Array.prototype.forEach.call(radios, function (radio) {
      radio.addEventListener('change', update);
    });
    update();
  });
})();

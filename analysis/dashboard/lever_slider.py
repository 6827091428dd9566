"""A number lever's control: a slider with its value shown as it moves, and a box to type a value.

Why not Solara's ``SliderFloat`` with a label drawn in Python: the label then waits for
the server's round trip (seconds on a busy machine), and a label or mark that changes
beside the slider rebuilds it, which drops keyboard focus after the first arrow key. Here
the browser shows the value while the slider moves (``shown`` from Python once it describes
the value on the slider, the browser's own formatting until then), and sends the value to Python when
the slider is released or a key is pressed. The box takes a typed value on Enter or when it
loses focus; the browser refuses what lies outside the parameter's hard bounds (``hard_low``,
``hard_high``), and Python validates what it accepts.

How a value reaches Python: each change goes as its own numbered message (``apply_value``), on the
page's one connection, in the order it was made, never held back. (Writing the synced ``value``
from the browser would not do: the widget library keeps at most one such update on its way per
widget and holds the next until the server answers, so a second arrow key pressed on a busy
machine would arrive after a Step or Play click made just after it, and the model would run with
the first.) Since a click is a message on the same connection, sent after the slider's, the
server always has the value the slider shows when it handles the click. Python answers with the
value in force and the number of the last change it applied (``applied``); the browser takes the
server's value only once every change it sent has been applied, so an older value on its way back
never undoes a newer press. The control's ``data-value`` is the value in force on the server and
``data-pending`` says whether a change is still on its way.
"""

from __future__ import annotations

import ipyvue
import traitlets

TEMPLATE = """
<template>
  <div class="docsec-lever-slider" :data-value="value" :data-pending="applied < sent ? 'yes' : 'no'">
    <div class="lever-value" style="font-size: 13px; color: #455a64">{{ label }}: {{ display }}</div>
    <div style="display: flex; align-items: center; gap: 8px">
      <v-slider class="lever-range" :value="onSlider" :min="min" :max="max" :step="step" :disabled="disabled"
                hide-details dense style="flex: 1 1 auto" @input="moved" @change="commit"></v-slider>
      <input class="lever-typed" type="text" inputmode="decimal" :value="typed" :disabled="disabled"
             :aria-label="'type a value for ' + label"
             style="width: 76px; font-size: 13px; padding: 1px 4px; border: 1px solid #b0bec5; border-radius: 3px"
             @keydown.enter.prevent="typedIn($event)" @change="typedIn($event)">
    </div>
    <div v-if="refused" class="lever-refused" style="font-size: 11px; color: #b00020">{{ refused }}</div>
  </div>
</template>
<script>
module.exports = {
  data() { return {local: 0, moving: false, refused: '', sent: 0, lastSent: null}; },
  created() { this.local = this.value; this.sent = this.applied; },
  computed: {
    display() {
      if (!this.moving && this.local === this.shown_for) { return this.shown; }
      const text = this.integer ? Math.round(this.local).toLocaleString('en-US')
                                : Number(this.local).toLocaleString('en-US', {maximumSignificantDigits: 4});
      return text + ' ' + this.unit;
    },
    typed() { return String(this.local); },
    onSlider() {
      // the value as the slider rounds it to its steps (Vuetify's own rounding), so that a typed value
      // between two steps is not rounded by the slider and sent back as if the user had moved it
      const step = Number(this.step);
      const decimals = (String(step).split('.')[1] || '').length;
      const offset = this.min % step;
      const rounded = Math.round((this.local - offset) / step) * step + offset;
      return parseFloat(Math.min(Math.max(rounded, this.min), this.max).toFixed(decimals));
    }
  },
  watch: {
    // the server's value is taken once it has applied every change sent from here (a value arriving
    // while a later change is on its way is an older one); a value the server set itself, such as a
    // scenario's own after a reset, arrives with nothing on its way and is taken at once
    value() { this.follow(); },
    applied() { this.follow(); }
  },
  methods: {
    moved(v) {
      if (v === this.onSlider) { return; }  // the slider echoing its own rounding, not a move
      this.local = v;
      this.moving = true;
    },
    follow() {
      if (this.applied < this.sent) { return; }
      this.local = this.value;
      this.moving = false;
    },
    commit(v) {
      this.local = v;
      this.moving = false;
      this.refused = '';
      const current = this.applied < this.sent ? this.lastSent : this.value;
      if (v === current) { return; }
      this.sent = Math.max(this.sent, this.applied) + 1;
      this.lastSent = v;
      this.apply_value({value: v, number: this.sent});  // at once, one message per change (see above)
    },
    typedIn(event) {
      const text = String(event.target.value).replace(/,/g, '').trim();
      const v = Number(text);
      const low = this.hard_low === null ? -Infinity : this.hard_low;
      const high = this.hard_high === null ? Infinity : this.hard_high;
      if (text === '' || !Number.isFinite(v) || (this.integer && !Number.isInteger(v)) || v < low || v > high) {
        this.refused = 'not a value for ' + this.label.toLowerCase() + '; allowed: '
          + (this.integer ? 'a whole number' : 'a number') + ' from ' + low + ' to ' + high;
        event.target.value = String(this.local);
        return;
      }
      this.commit(v);
    }
  }
}
</script>
"""


class LeverSlider(ipyvue.VueTemplate):
    """A slider and a typed-value box for one number lever; the browser's changes arrive through
    ``vue_apply_value``, in order, and ``value`` carries the value in force back to the browser."""

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    value = traitlets.Float(0.0).tag(sync=True)
    shown = traitlets.Unicode("").tag(sync=True)
    shown_for = traitlets.Float(0.0).tag(sync=True)  # the value ``shown`` describes
    label = traitlets.Unicode("").tag(sync=True)
    unit = traitlets.Unicode("").tag(sync=True)
    min = traitlets.Float(0.0).tag(sync=True)
    max = traitlets.Float(1.0).tag(sync=True)
    step = traitlets.Float(0.01).tag(sync=True)
    hard_low = traitlets.Float(None, allow_none=True).tag(sync=True)
    hard_high = traitlets.Float(None, allow_none=True).tag(sync=True)
    integer = traitlets.Bool(False).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    applied = traitlets.Int(0).tag(sync=True)  # the number of the browser's last change applied here

    def vue_apply_value(self, data):
        """One change from the browser: ``{"value": number, "number": its place in the order of changes}``.

        The value and its number go back to the browser in one update (with whatever the page's
        redraw changes, such as ``shown``), so the browser never sees the number without its value.
        """
        with self.hold_sync():
            self.value = float(data["value"])
            self.applied = max(self.applied, int(data["number"]))

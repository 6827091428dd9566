"""A number lever's control: a slider with its value shown as it moves, and a box to type a value.

Why not Solara's ``SliderFloat`` with a label drawn in Python: the label then waits for
the server's round trip (seconds on a busy machine), and a label or mark that changes
beside the slider rebuilds it, which drops keyboard focus after the first arrow key. Here
the browser shows the value while the slider moves (``shown`` from Python once it describes
the value on the slider, the browser's own formatting until then), and sends the value to Python when
the slider is released or a key is pressed (``value``). The box takes a typed value on
Enter or when it loses focus; the browser refuses what lies outside the parameter's hard
bounds (``hard_low``, ``hard_high``), and Python validates what it accepts.
"""

from __future__ import annotations

import ipyvue
import traitlets

TEMPLATE = """
<template>
  <div class="docsec-lever-slider">
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
  data() { return {local: 0, moving: false, refused: '', lastSent: null, sentAt: 0}; },
  created() { this.local = this.value; },
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
    value(v) {
      // a value other than the last one sent, arriving just after a send, is an older value on its way
      // back from the server (keys pressed faster than a busy server answers): the newer one follows
      if (v !== this.lastSent && Date.now() - this.sentAt < 2000) { return; }
      this.local = v;
      this.moving = false;
    }
  },
  methods: {
    moved(v) {
      if (v === this.onSlider) { return; }  // the slider echoing its own rounding, not a move
      this.local = v;
      this.moving = true;
    },
    commit(v) {
      this.local = v;
      this.moving = false;
      this.refused = '';
      if (v !== this.value) { this.lastSent = v; this.sentAt = Date.now(); this.value = v; }
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
    """A slider and a typed-value box for one number lever; ``value`` syncs both ways."""

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

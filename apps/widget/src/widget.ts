// The embeddable chat widget (built into dist/widget.js). See README: Widget.
export {};

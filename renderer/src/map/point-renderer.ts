// Points of the embedding map drawn with WebGL2: one buffer of positions and one of categories,
// one draw call, a view transform (zoom and pan) as a uniform, so panning a million points costs a
// redraw and nothing else. Written here rather than taken from regl-scatterplot: regl compiles its
// commands with `new Function`, which the app's Content Security Policy (no 'unsafe-eval', per
// Electron's security checklist) refuses.

const VERTEX = `#version 300 es
in vec2 position;
in float category;
in float state;
uniform vec2 scale;
uniform vec2 offset;
uniform float pointSize;
uniform vec3 palette[12];
out vec4 colour;
void main() {
  gl_Position = vec4(position * scale + offset, 0.0, 1.0);
  // state 0: shown; 1: outside the filter (grey, small); 2: highlighted (white, larger).
  float s = state;
  gl_PointSize = s > 1.5 ? pointSize + 3.0 : s > 0.5 ? max(1.0, pointSize - 1.0) : pointSize;
  vec3 c = category > 254.5 ? vec3(0.45, 0.47, 0.5) : palette[int(mod(category, 12.0))];
  colour = s > 1.5 ? vec4(1.0, 1.0, 1.0, 1.0) : s > 0.5 ? vec4(0.35, 0.38, 0.42, 0.35) : vec4(c, 0.8);
}`;

const FRAGMENT = `#version 300 es
precision mediump float;
in vec4 colour;
uniform float alpha;
out vec4 outColour;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  if (dot(d, d) > 0.25) discard;
  outColour = vec4(colour.rgb, colour.a * alpha);
}`;

/** Points drawn while the view moves (an even sample of the map). */
export const QUICK_POINTS = 150_000;

export interface View {
  /** World units per half canvas width at zoom 1 are 1; zoom multiplies. */
  zoom: number;
  /** The world point at the canvas centre. */
  cx: number;
  cy: number;
}

function compile(gl: WebGL2RenderingContext, type: number, source: string): WebGLShader {
  const s = gl.createShader(type)!;
  gl.shaderSource(s, source);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.isContextLost() ? 'The map could not be drawn: the graphics context was lost. Close and open the map again.' : `The map's shader did not compile: ${gl.getShaderInfoLog(s)}`);
  return s;
}

export class PointRenderer {
  private readonly gl: WebGL2RenderingContext;
  private readonly program: WebGLProgram;
  private readonly vao: WebGLVertexArrayObject;
  private readonly stateBuffer: WebGLBuffer;
  private categoryBuffer: WebGLBuffer | null = null;
  private readonly buffers: WebGLBuffer[] = [];
  private order: WebGLBuffer | null = null;
  private count = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    palette: string[],
  ) {
    const gl = canvas.getContext('webgl2', { antialias: false, premultipliedAlpha: false, preserveDrawingBuffer: true });
    if (!gl) throw new Error('This browser cannot draw the map: WebGL 2 is not available.');
    this.gl = gl;
    const p = gl.createProgram()!;
    gl.attachShader(p, compile(gl, gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(p, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT));
    gl.linkProgram(p);
    if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(`The map's shaders did not link: ${gl.getProgramInfoLog(p)}`);
    this.program = p;
    this.vao = gl.createVertexArray()!;
    this.stateBuffer = gl.createBuffer()!;
    this.setPalette(palette);
  }

  /** Twelve colours (#rrggbb) for the categories 0-11 (a category past 11 wraps). */
  setPalette(palette: string[]): void {
    const gl = this.gl;
    gl.useProgram(this.program);
    const rgb = palette.slice(0, 12).flatMap((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255));
    while (rgb.length < 36) rgb.push(0.5);
    gl.uniform3fv(gl.getUniformLocation(this.program, 'palette'), new Float32Array(rgb));
  }

  /** Each point's colour code (255: no value, drawn grey and small). */
  setCategories(category: Uint8Array): void {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.categoryBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, category, gl.DYNAMIC_DRAW);
  }

  /** Positions in world units (interleaved x, y), a category per point (its colour). */
  setPoints(xy: Float32Array, category: Uint8Array): void {
    const gl = this.gl;
    this.count = category.length;
    gl.bindVertexArray(this.vao);
    const attach = (name: string, data: ArrayBufferView, size: number, type: number, normalised: boolean) => {
      const b = gl.createBuffer()!;
      this.buffers.push(b);
      gl.bindBuffer(gl.ARRAY_BUFFER, b);
      gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
      const at = gl.getAttribLocation(this.program, name);
      gl.enableVertexAttribArray(at);
      gl.vertexAttribPointer(at, size, type, normalised, 0, 0);
      return b;
    };
    attach('position', xy, 2, gl.FLOAT, false);
    this.categoryBuffer = attach('category', category, 1, gl.UNSIGNED_BYTE, false);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.stateBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, new Uint8Array(this.count), gl.DYNAMIC_DRAW);
    const at = gl.getAttribLocation(this.program, 'state');
    gl.enableVertexAttribArray(at);
    gl.vertexAttribPointer(at, 1, gl.UNSIGNED_BYTE, false, 0, 0);
    // The points in a seeded random order: the first n of it are an even sample of the map, drawn
    // alone while the view moves (see draw's `quick`).
    const order = Uint32Array.from({ length: this.count }, (_, i) => i);
    let seed = 0x2545f491;
    for (let i = order.length - 1; i > 0; i--) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const j = seed % (i + 1);
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    this.order = gl.createBuffer()!;
    this.buffers.push(this.order);
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.order);
    gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, order, gl.STATIC_DRAW);
    gl.bindVertexArray(null);
  }

  /** Each point's state: 0 shown, 1 greyed (outside the filter), 2 highlighted. */
  setStates(states: Uint8Array): void {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.stateBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, states, gl.DYNAMIC_DRAW);
  }

  /**
   * `quick`: while the view moves, at most QUICK_POINTS of an even sample are drawn (denser, so the
   * picture keeps its weight); the whole set once it rests. Measured in Chromium's software WebGL at
   * 1M points, a full frame took most of a second.
   */
  draw(view: View, quick = false): void {
    const gl = this.gl;
    const w = this.canvas.width;
    const h = this.canvas.height;
    gl.viewport(0, 0, w, h);
    gl.clearColor(0.063, 0.078, 0.102, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    if (!this.count) return;
    gl.useProgram(this.program);
    gl.enable(gl.BLEND);
    // Zoomed out over many points, colours add up where points pile: a density view (bright where
    // many rows are, faint where few are) instead of the last point drawn hiding the others.
    const drawn = quick ? Math.min(this.count, QUICK_POINTS) : this.count;
    const dense = this.count > 100_000 && view.zoom < 3;
    gl.blendFunc(gl.SRC_ALPHA, dense ? gl.ONE : gl.ONE_MINUS_SRC_ALPHA);
    const aspect = w / Math.max(1, h);
    const sx = view.zoom / Math.max(1, aspect);
    const sy = view.zoom * Math.min(1, aspect);
    gl.uniform2f(gl.getUniformLocation(this.program, 'scale'), sx, sy);
    gl.uniform2f(gl.getUniformLocation(this.program, 'offset'), -view.cx * sx, -view.cy * sy);
    // Points grow as one zooms in, and fade when a million overlap (a density at a glance).
    const dpr = window.devicePixelRatio || 1;
    const base = this.count > 200_000 ? 1.5 : this.count > 20_000 ? 2.5 : 4;
    gl.uniform1f(gl.getUniformLocation(this.program, 'pointSize'), Math.min(14, base * Math.sqrt(view.zoom)) * dpr);
    gl.uniform1f(gl.getUniformLocation(this.program, 'alpha'), dense ? Math.min(0.5, (0.12 * Math.sqrt(view.zoom) * 1e6) / drawn) : 1);
    gl.bindVertexArray(this.vao);
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.order);
    gl.drawElements(gl.POINTS, drawn, gl.UNSIGNED_INT, 0);
    gl.bindVertexArray(null);
  }

  /** Screen (CSS pixels in the canvas) to world coordinates. */
  toWorld(view: View, px: number, py: number, cssW: number, cssH: number): [number, number] {
    const aspect = cssW / Math.max(1, cssH);
    const sx = view.zoom / Math.max(1, aspect);
    const sy = view.zoom * Math.min(1, aspect);
    const ndcX = (px / cssW) * 2 - 1;
    const ndcY = 1 - (py / cssH) * 2;
    return [ndcX / sx + view.cx, ndcY / sy + view.cy];
  }

  toScreen(view: View, wx: number, wy: number, cssW: number, cssH: number): [number, number] {
    const aspect = cssW / Math.max(1, cssH);
    const sx = view.zoom / Math.max(1, aspect);
    const sy = view.zoom * Math.min(1, aspect);
    return [(((wx - view.cx) * sx + 1) / 2) * cssW, ((1 - (wy - view.cy) * sy) / 2) * cssH];
  }

  /** Frees what this renderer made; the canvas's context stays usable (a new map draws on it). */
  dispose(): void {
    const gl = this.gl;
    for (const b of [...this.buffers, this.stateBuffer]) gl.deleteBuffer(b);
    gl.deleteVertexArray(this.vao);
    gl.deleteProgram(this.program);
  }
}

/** Points bucketed in a grid over the world square [-1, 1]², for the point under the cursor. */
export class PointGrid {
  private readonly start: Int32Array;
  private readonly order: Int32Array;
  private readonly n: number;
  constructor(
    private readonly xy: Float32Array,
    cells = 256,
  ) {
    this.n = cells;
    const count = xy.length / 2;
    const cellOf = (i: number) => {
      const cx = Math.min(cells - 1, Math.max(0, Math.floor((((xy[2 * i] as number) + 1) / 2) * cells)));
      const cy = Math.min(cells - 1, Math.max(0, Math.floor((((xy[2 * i + 1] as number) + 1) / 2) * cells)));
      return cy * cells + cx;
    };
    this.start = new Int32Array(cells * cells + 1);
    for (let i = 0; i < count; i++) this.start[cellOf(i) + 1] = (this.start[cellOf(i) + 1] as number) + 1;
    for (let c = 0; c < cells * cells; c++) this.start[c + 1] = (this.start[c + 1] as number) + (this.start[c] as number);
    const at = this.start.slice(0, cells * cells);
    this.order = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const c = cellOf(i);
      this.order[at[c] as number] = i;
      at[c] = (at[c] as number) + 1;
    }
  }

  /** Up to `limit` points inside the world rectangle (null when there are more: too many to show). */
  inside(x0: number, y0: number, x1: number, y1: number, limit: number): number[] | null {
    const n = this.n;
    const toCell = (v: number) => Math.min(n - 1, Math.max(0, Math.floor(((v + 1) / 2) * n)));
    const out: number[] = [];
    for (let cy = toCell(y0); cy <= toCell(y1); cy++)
      for (let cx = toCell(x0); cx <= toCell(x1); cx++) {
        const c = cy * n + cx;
        for (let k = this.start[c] as number; k < (this.start[c + 1] as number); k++) {
          const i = this.order[k] as number;
          const x = this.xy[2 * i] as number;
          const y = this.xy[2 * i + 1] as number;
          if (x < x0 || x > x1 || y < y0 || y > y1) continue;
          if (out.length >= limit) return null;
          out.push(i);
        }
      }
    return out;
  }

  /** The point nearest (wx, wy) within `radius` world units, or -1. */
  nearest(wx: number, wy: number, radius: number): number {
    const n = this.n;
    const toCell = (v: number) => Math.floor(((v + 1) / 2) * n);
    let best = -1;
    let bestD = radius * radius;
    for (let cy = Math.max(0, toCell(wy - radius)); cy <= Math.min(n - 1, toCell(wy + radius)); cy++) {
      for (let cx = Math.max(0, toCell(wx - radius)); cx <= Math.min(n - 1, toCell(wx + radius)); cx++) {
        const c = cy * n + cx;
        for (let k = this.start[c] as number; k < (this.start[c + 1] as number); k++) {
          const i = this.order[k] as number;
          const d = ((this.xy[2 * i] as number) - wx) ** 2 + ((this.xy[2 * i + 1] as number) - wy) ** 2;
          if (d <= bestD) ((bestD = d), (best = i));
        }
      }
    }
    return best;
  }
}

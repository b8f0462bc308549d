export type PathContext = { moveTo(x: number, y: number): void; lineTo(x: number, y: number): void; closePath(): void }

const round = (v: number) => Math.round(v * 100) / 100

/**
 * A linear curve that rounds coordinates to 1/100 px, for the same reason as chart-parts' line
 * curves (the server's and the browser's d3-path print numbers differently), and that also draws
 * areas: d3's linear curve protocol. An area is its top line, then its base line backwards,
 * closed; a line (an area's stroke) is closed only when it is a single point (`point` counts 0,
 * 1, then 2 for "more than one").
 */
export function roundedAreaCurve(context: PathContext) {
  let line = Number.NaN
  let point = 0
  return {
    areaStart() {
      line = 0
    },
    areaEnd() {
      line = Number.NaN
    },
    lineStart() {
      point = 0
    },
    lineEnd() {
      if (line || (line !== 0 && point === 1)) context.closePath()
      line = 1 - line
    },
    point(rawX: number, rawY: number) {
      const x = round(rawX)
      const y = round(rawY)
      if (point === 0) {
        point = 1
        if (line) context.lineTo(x, y)
        else context.moveTo(x, y)
      } else {
        point = 2
        context.lineTo(x, y)
      }
    },
  }
}

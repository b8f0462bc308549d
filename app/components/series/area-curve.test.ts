import { describe, expect, it } from 'vitest'
import { roundedAreaCurve, type PathContext } from './area-curve.ts'

/** A path context that writes SVG path commands, as d3-path does. */
function recorder(): PathContext & { path: string } {
  const out = {
    path: '',
    moveTo: (x: number, y: number) => void (out.path += `M${x},${y}`),
    lineTo: (x: number, y: number) => void (out.path += `L${x},${y}`),
    closePath: () => void (out.path += 'Z'),
  }
  return out
}

/** What d3's line generator calls for the defined segments of a line. */
function drawLine(segments: [number, number][][]): string {
  const context = recorder()
  const curve = roundedAreaCurve(context)
  for (const segment of segments) {
    curve.lineStart()
    for (const [x, y] of segment) curve.point(x, y)
    curve.lineEnd()
  }
  return context.path
}

/** What d3's area generator calls for one segment: the top line, then the base line backwards. */
function drawArea(top: [number, number][], base: [number, number][]): string {
  const context = recorder()
  const curve = roundedAreaCurve(context)
  curve.areaStart()
  curve.lineStart()
  for (const [x, y] of top) curve.point(x, y)
  curve.lineEnd()
  curve.lineStart()
  for (const [x, y] of [...base].reverse()) curve.point(x, y)
  curve.lineEnd()
  curve.areaEnd()
  return context.path
}

describe('roundedAreaCurve', () => {
  it('draws a line open, each segment from its own start (a stacked band stroke with gaps)', () => {
    expect(drawLine([[[0, 10], [5, 12], [10, 11]]])).toBe('M0,10L5,12L10,11')
    expect(drawLine([[[0, 10], [5, 12]], [[20, 8], [25, 9]]])).toBe('M0,10L5,12M20,8L25,9')
  })

  it('closes a line of one point (a dot), as d3 does', () => {
    expect(drawLine([[[3, 4]]])).toBe('M3,4Z')
  })

  it('draws an area as its top, then its base backwards, closed', () => {
    expect(drawArea([[0, 10], [10, 5]], [[0, 20], [10, 20]])).toBe('M0,10L10,5L10,20L0,20Z')
  })

  it('rounds coordinates to 1/100 px, so the server and the browser print the same path', () => {
    expect(drawLine([[[1.23456, 7.891011], [2.006, 3.999]]])).toBe('M1.23,7.89L2.01,4')
  })
})

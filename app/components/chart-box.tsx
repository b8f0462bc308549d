import { startTransition, useCallback, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react'

/** Widths closer than this to the drawn one keep the server's drawing (text scales by less than 15 %). */
const REDRAW_RATIO = 0.15

const noSubscription = () => () => {}

/**
 * True while React hydrates server HTML, false when a component mounts in the browser later (a
 * client-side navigation): useSyncExternalStore answers the server snapshot during hydration.
 */
function useHydrating(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => false,
    () => true,
  )
}

/**
 * The box of a server-rendered recharts chart. Hydrating a recharts chart costs as much main-thread
 * time as drawing it, and on a phone the chart is then drawn a second time at the measured width:
 * together the largest blocking work of the node and curve pages. So the chart the server drew is
 * kept as it is (not hydrated: an empty dangerouslySetInnerHTML leaves the server's SVG in place)
 * until the browser must draw it:
 * - what it shows changed (`content`: live prices, another range after a client navigation),
 * - the box is more than 15 % narrower or wider than the width it was drawn at (a phone: the text
 *   would shrink), drawn then as a transition so input stays responsive,
 * - the reader points at, touches or focuses it (tooltips need the live chart).
 * A chart mounted after hydration (client navigation) is drawn at once, as before. Without
 * JavaScript the server's chart is all there is, as before.
 */
export function ChartBox({
  defaultWidth,
  content,
  children,
}: {
  /** The width the server draws at (CSS scales the SVG down through its viewBox). */
  defaultWidth: number
  /** Identifies what the chart shows; a different value than at hydration means redraw. */
  content: unknown
  /** Draws the chart at a width. */
  children: (width: number) => ReactNode
}) {
  const hydrating = useHydrating()
  const [keptFromServer] = useState(hydrating)
  const [activated, setActivated] = useState(!keptFromServer)
  const [width, setWidth] = useState(defaultWidth)
  const hydratedContent = useRef(content)
  const box = useRef<HTMLDivElement | null>(null)
  // Decided during render, not in an effect: new content replaces the old drawing in the same commit.
  const live = activated || content !== hydratedContent.current

  const measure = useCallback(() => {
    const el = box.current
    return el ? Math.max(320, Math.floor(el.clientWidth)) : defaultWidth
  }, [defaultWidth])

  const activate = useCallback(() => {
    setWidth(measure())
    setActivated(true)
  }, [measure])

  // Kept from the server: redraw only when the box is far from the drawn width.
  useEffect(() => {
    if (live) return
    const measured = measure()
    if (Math.abs(measured - defaultWidth) / defaultWidth > REDRAW_RATIO) {
      startTransition(() => {
        setWidth(measured)
        setActivated(true)
      })
    }
  }, [live, measure, defaultWidth])

  // Drawn in the browser: follow the box's width.
  useEffect(() => {
    if (!live) return
    const el = box.current
    if (!el) return
    const update = () => setWidth(measure())
    update()
    const observer = new ResizeObserver(update)
    observer.observe(el)
    return () => observer.disconnect()
  }, [live, measure])

  if (typeof document === 'undefined') {
    // The server draws the chart; the browser keeps that drawing (below) until it must redraw.
    return <div className="chart-box">{children(defaultWidth)}</div>
  }
  if (!live) {
    return (
      <div
        key="server"
        className="chart-box"
        ref={box}
        onPointerEnter={activate}
        onTouchStart={activate}
        onFocus={activate}
        dangerouslySetInnerHTML={{ __html: '' }}
        suppressHydrationWarning
      />
    )
  }
  return (
    <div key="drawn" className="chart-box" ref={box}>
      {children(width)}
    </div>
  )
}

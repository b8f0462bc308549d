import {
  createElement,
  lazy,
  startTransition,
  useCallback,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type ComponentType,
  type CSSProperties,
  type ReactNode,
} from 'react'

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
 * Calls `onVisible` once the element is in the viewport (at once where IntersectionObserver is
 * missing); returns the disconnect.
 */
function whenVisible(el: Element, onVisible: () => void): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    onVisible()
    return () => {}
  }
  const observer = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return
    observer.disconnect()
    onVisible()
  })
  observer.observe(el)
  return () => observer.disconnect()
}

/** A chart's drawing code (recharts with it), loaded apart from the page's scripts. */
export type ChartDrawing<P> = {
  /** Draws the chart; in the browser only once `load()` has resolved (ChartBox sees to that). */
  Drawing: ComponentType<P>
  /** Fetches the drawing code (once); resolves when `Drawing` can render. */
  load(): Promise<unknown>
  loaded(): boolean
}

/**
 * A chart's drawing component behind a dynamic import, so its code is a chunk of its own. The
 * browser renders it only after `load()` (synchronously then: no Suspense, so nothing flashes);
 * the server renders it through React.lazy without a Suspense boundary above it, so the first
 * render after the server starts waits for the import before the shell is sent, and every page
 * carries the drawn chart.
 */
export function chartDrawing<P extends object>(importer: () => Promise<{ default: ComponentType<P> }>): ChartDrawing<P> {
  let module: { default: ComponentType<P> } | null = null
  let pending: Promise<unknown> | null = null
  // A lazy component renders like the component it loads (React's types keep them apart).
  const ServerDrawing = lazy(importer) as unknown as ComponentType<P>
  return {
    Drawing(props: P) {
      return module ? createElement(module.default, props) : createElement(ServerDrawing, props)
    },
    load() {
      pending ??= importer().then(
        (loaded) => {
          module = loaded
        },
        (error: unknown) => {
          // A failed fetch (offline, a new deployment) may succeed later: try again next time.
          pending = null
          throw error
        },
      )
      return pending
    },
    loaded: () => module !== null,
  }
}

/**
 * The box of a server-rendered recharts chart. Hydrating a recharts chart costs as much main-thread
 * time as drawing it, and recharts itself is the largest script of the hub: together the largest
 * blocking work of the node and curve pages. So the chart the server drew is kept as it is (not
 * hydrated: an empty dangerouslySetInnerHTML leaves the server's SVG in place), and the drawing
 * code (`drawing`, recharts with it) is not part of the page's scripts: it is fetched only when the
 * browser must draw, which is when
 * - what it shows changed (`content`: live prices, another range after a client navigation),
 * - the box is more than 15 % narrower or wider than the width it was drawn at (a phone: the text
 *   would shrink) and the box is in view (off-screen there is nothing to redraw for yet), drawn
 *   then as a transition so input stays responsive,
 * - the reader points at, touches or focuses it (tooltips need the live chart).
 * The server's drawing stays until the code is loaded and the browser's drawing replaces it. A
 * chart mounted after hydration (client navigation), or new content before the code is there,
 * shows a placeholder of the chart's size meanwhile (no layout shift). Without JavaScript the
 * server's chart is all there is.
 */
export function ChartBox({
  defaultWidth,
  height,
  content,
  drawing,
  children,
}: {
  /** The width the server draws at (CSS scales the SVG down through its viewBox). */
  defaultWidth: number
  /** The chart's height: the placeholder's while the drawing code loads. */
  height: number
  /** Identifies what the chart shows; a different value than at hydration means redraw. */
  content: unknown
  /** The drawing code that `children` renders (its `Drawing`). */
  drawing: Pick<ChartDrawing<never>, 'load' | 'loaded'>
  /** Draws the chart at a width. */
  children: (width: number) => ReactNode
}) {
  const hydrating = useHydrating()
  const [keptFromServer] = useState(hydrating)
  const [activated, setActivated] = useState(!keptFromServer)
  const [width, setWidth] = useState(defaultWidth)
  const [loadFailed, setLoadFailed] = useState(false)
  const [, setLoadedCode] = useState(false)
  const hydratedContent = useRef(content)
  // State, not a ref: the effects below must run again when the box element changes (the
  // server's drawing, the placeholder, the browser's drawing).
  const [box, setBox] = useState<HTMLDivElement | null>(null)
  // Decided during render, not in an effect: new content replaces the old drawing in the same commit.
  const live = activated || content !== hydratedContent.current
  const codeReady = drawing.loaded()
  const { load } = drawing

  const measure = useCallback(() => (box ? Math.max(320, Math.floor(box.clientWidth)) : defaultWidth), [box, defaultWidth])

  /** Switches to the browser's drawing once its code is loaded (the server's drawing stays meanwhile). */
  const activate = useCallback(() => {
    load().then(
      () =>
        startTransition(() => {
          setWidth(measure())
          setActivated(true)
        }),
      // The server's drawing stays; the next pointer or resize tries again.
      () => {},
    )
  }, [load, measure])

  // Kept from the server: redraw only when the box is far from the drawn width, once it is in view.
  useEffect(() => {
    if (live || !box) return
    const measured = measure()
    if (Math.abs(measured - defaultWidth) / defaultWidth <= REDRAW_RATIO) return
    return whenVisible(box, activate)
  }, [live, box, measure, defaultWidth, activate])

  // A pointer already resting on the chart when the page hydrated sends no pointerenter: it asks now.
  useEffect(() => {
    if (!live && box?.matches(':hover')) activate()
  }, [live, box, activate])

  // To be drawn in the browser before the code is there: fetch it, then draw.
  useEffect(() => {
    if (!live || codeReady) return
    let current = true
    load().then(
      () => current && setLoadedCode(true),
      () => current && setLoadFailed(true),
    )
    return () => {
      current = false
    }
  }, [live, codeReady, load])

  // Drawn in the browser: follow the box's width.
  useEffect(() => {
    if (!live || !box) return
    const update = () => setWidth(measure())
    update()
    const observer = new ResizeObserver(update)
    observer.observe(box)
    return () => observer.disconnect()
  }, [live, box, measure])

  // The chart's height for CSS: a box far narrower than the server's drawing keeps it (app.css).
  const heightVar = { '--chart-height': `${height}px` } as CSSProperties
  if (typeof document === 'undefined') {
    // The server draws the chart; the browser keeps that drawing (below) until it must redraw.
    return (
      <div className="chart-box" style={heightVar}>
        {children(defaultWidth)}
      </div>
    )
  }
  if (!live) {
    return (
      <div
        key="server"
        className="chart-box"
        style={heightVar}
        ref={setBox}
        onPointerEnter={activate}
        onTouchStart={activate}
        onFocus={activate}
        dangerouslySetInnerHTML={{ __html: '' }}
        suppressHydrationWarning
      />
    )
  }
  if (!codeReady) {
    return (
      <div key="loading" className="chart-box chart-loading" ref={setBox} style={{ height }} role="status">
        {loadFailed ? 'The chart could not be loaded; reload the page to try again.' : 'Loading chart…'}
      </div>
    )
  }
  return (
    <div key="drawn" className="chart-box" style={heightVar} ref={setBox}>
      {children(width)}
    </div>
  )
}

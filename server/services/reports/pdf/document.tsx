import { Document, Line, Page, Polyline, Rect, StyleSheet, Svg, Text, View } from '@react-pdf/renderer'
import type { ChartSection, ReportSection, ReportView, TableSection, TextSection } from '../view.ts'

/**
 * A report view as a react-pdf document: A4 landscape, the built-in Helvetica (no font files),
 * tables as rows of cells, charts as vector drawing (Svg, Rect, Line, Polyline, svg Text) from
 * the same layout the HTML page draws.
 */

const styles = StyleSheet.create({
  page: { paddingTop: 28, paddingBottom: 36, paddingHorizontal: 32, fontFamily: 'Helvetica', fontSize: 8.5, color: '#111827' },
  title: { fontSize: 16, fontFamily: 'Helvetica-Bold' },
  subtitle: { fontSize: 10, color: '#374151', marginTop: 2, marginBottom: 8 },
  facts: { flexDirection: 'row', flexWrap: 'wrap', marginBottom: 8 },
  fact: { marginRight: 16, marginBottom: 2 },
  factLabel: { color: '#6b7280' },
  message: { padding: 6, backgroundColor: '#fef3c7', marginBottom: 8 },
  section: { marginTop: 8 },
  sectionTitle: { fontSize: 10.5, fontFamily: 'Helvetica-Bold', marginBottom: 3 },
  note: { color: '#6b7280', marginBottom: 3 },
  headerRow: { flexDirection: 'row', borderBottomWidth: 0.8, borderBottomColor: '#111827', paddingBottom: 2 },
  row: { flexDirection: 'row', borderBottomWidth: 0.3, borderBottomColor: '#d1d5db', paddingVertical: 1.5 },
  headerCell: { fontFamily: 'Helvetica-Bold' },
  mono: { fontFamily: 'Courier', fontSize: 7.5, lineHeight: 1.3 },
  empty: { color: '#6b7280', fontStyle: 'italic' },
  legend: { flexDirection: 'row', flexWrap: 'wrap', marginTop: 2 },
  legendItem: { flexDirection: 'row', alignItems: 'center', marginRight: 10, marginBottom: 2 },
  footer: { position: 'absolute', bottom: 16, left: 32, right: 32, flexDirection: 'row', justifyContent: 'space-between', color: '#6b7280', fontSize: 7 },
})

/** Column widths proportional to the longest text of each column (at least its header). */
function columnWidths(section: TableSection): string[] {
  const lengths = section.columns.map((c, i) => Math.max(c.label.length, ...section.rows.map((r) => (r[i] ?? '').length), 4))
  const total = lengths.reduce((s, n) => s + n, 0)
  return lengths.map((n) => `${((n / total) * 100).toFixed(2)}%`)
}

function Table({ section }: { section: TableSection }) {
  const widths = columnWidths(section)
  const cell = (i: number) => ({ width: widths[i], paddingRight: 4, textAlign: section.columns[i]!.align })
  return (
    <View>
      <View style={styles.headerRow} fixed={false}>
        {section.columns.map((c, i) => (
          <Text key={c.label + i} style={[styles.headerCell, cell(i)]}>
            {c.label}
          </Text>
        ))}
      </View>
      {section.rows.length === 0 ? (
        <Text style={styles.empty}>{section.empty}</Text>
      ) : (
        section.rows.map((row, r) => (
          <View key={r} style={styles.row} wrap={false}>
            {row.map((value, i) => (
              <Text key={i} style={cell(i)}>
                {value}
              </Text>
            ))}
          </View>
        ))
      )}
    </View>
  )
}

function Chart({ section }: { section: ChartSection }) {
  const { chart } = section
  if (chart.empty) return <Text style={styles.empty}>{section.empty}</Text>
  const { plot } = chart
  return (
    <View wrap={false}>
      <Svg width={chart.width} height={chart.height} viewBox={`0 0 ${chart.width} ${chart.height}`}>
        <Rect x={plot.left} y={plot.top} width={plot.right - plot.left} height={plot.bottom - plot.top} fill="#ffffff" stroke="#9ca3af" strokeWidth={0.6} />
        {chart.yTicks.map((t) => (
          <Line key={`y${t.label}`} x1={plot.left} x2={plot.right} y1={t.position} y2={t.position} stroke="#e5e7eb" strokeWidth={0.5} />
        ))}
        {chart.yTicks.map((t) => (
          <Text key={`yl${t.label}`} x={plot.left - 4} y={t.position + 3} textAnchor="end" style={{ fontSize: 7, fill: '#374151' }}>
            {t.label}
          </Text>
        ))}
        {chart.xTicks.map((t) => (
          <Line key={`x${t.label}`} x1={t.position} x2={t.position} y1={plot.bottom} y2={plot.bottom + 3} stroke="#6b7280" strokeWidth={0.6} />
        ))}
        {chart.xTicks.map((t) => (
          <Text key={`xl${t.label}`} x={t.position} y={plot.bottom + 12} textAnchor="middle" style={{ fontSize: 7, fill: '#374151' }}>
            {t.label}
          </Text>
        ))}
        {chart.lines.flatMap((line) =>
          line.segments.map((points, i) => (
            <Polyline
              key={`${line.name}${i}`}
              points={points}
              fill="none"
              stroke={line.color}
              strokeWidth={1.2}
              {...(line.dashed ? { strokeDasharray: '4,3' } : {})}
            />
          )),
        )}
      </Svg>
      <View style={styles.legend}>
        {chart.lines.map((line) => (
          <View key={line.name} style={styles.legendItem}>
            <Svg width={14} height={6}>
              <Line x1={0} x2={14} y1={3} y2={3} stroke={line.color} strokeWidth={1.5} {...(line.dashed ? { strokeDasharray: '3,2' } : {})} />
            </Svg>
            <Text style={{ marginLeft: 3 }}>{line.name}</Text>
          </View>
        ))}
      </View>
    </View>
  )
}

function TextBlock({ section }: { section: TextSection }) {
  return <Text style={section.mono ? styles.mono : undefined}>{section.text}</Text>
}

function Section({ section }: { section: ReportSection }) {
  // A chart moves to the next page with its title and note, never apart from them.
  return (
    <View style={styles.section} wrap={section.kind !== 'chart'}>
      <Text style={styles.sectionTitle} minPresenceAhead={40}>
        {section.title}
      </Text>
      {section.kind !== 'text' && section.note ? <Text style={styles.note}>{section.note}</Text> : null}
      {section.kind === 'table' ? <Table section={section} /> : section.kind === 'chart' ? <Chart section={section} /> : <TextBlock section={section} />}
    </View>
  )
}

export function ReportDocument({ view }: { view: ReportView }) {
  return (
    <Document title={view.title} author="254Carbon" creator="254Carbon" producer="254Carbon">
      <Page size="A4" orientation="landscape" style={styles.page}>
        <Text style={styles.title}>{view.title}</Text>
        <Text style={styles.subtitle}>{view.subtitle}</Text>
        <View style={styles.facts}>
          {view.facts.map((f) => (
            <Text key={f.label} style={styles.fact}>
              <Text style={styles.factLabel}>{f.label}: </Text>
              {f.value}
            </Text>
          ))}
        </View>
        {view.message ? <Text style={styles.message}>{view.message}</Text> : null}
        {view.sections.map((s, i) => (
          <Section key={i} section={s} />
        ))}
        <View style={styles.footer} fixed>
          <Text>{view.footer}</Text>
          <Text render={({ pageNumber, totalPages }) => `page ${pageNumber} of ${totalPages}`} />
        </View>
      </Page>
    </Document>
  )
}

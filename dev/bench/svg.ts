/** A very small SVG writer: elements as strings, attributes escaped. Enough for the benchmark's bar chart. */

type Attributes = Record<string, string | number | undefined>;

function escape(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;');
}

function attributes(attrs: Attributes): string {
	return Object.entries(attrs)
		.flatMap(([name, value]) =>
			value === undefined
				? []
				: [
						` ${name}="${escape(typeof value === 'number' ? String(Math.round(value * 100) / 100) : value)}"`,
					],
		)
		.join('');
}

export function element(name: string, attrs: Attributes, ...children: string[]): string {
	return children.length
		? `<${name}${attributes(attrs)}>${children.join('')}</${name}>`
		: `<${name}${attributes(attrs)}/>`;
}

export function text(x: number, y: number, content: string, attrs: Attributes = {}): string {
	return `<text${attributes({ x, y, ...attrs })}>${escape(content)}</text>`;
}

export function svgDocument(width: number, height: number, body: string[], title: string): string {
	return `${element(
		'svg',
		{
			xmlns: 'http://www.w3.org/2000/svg',
			width,
			height,
			viewBox: `0 0 ${width} ${height}`,
			role: 'img',
			'aria-label': title,
			'font-family': 'Helvetica, Arial, sans-serif',
			'font-size': 12,
		},
		element('title', {}, escape(title)),
		element('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }),
		...body,
	)}\n`;
}

export interface Bar {
	label: string;
	/** Seconds */
	value: number;
	/** Seconds; drawn as a tick */
	floor?: number;
	color: string;
	/** Written after the bar */
	note: string;
}

export interface BarGroup {
	title: string;
	bars: Bar[];
}

/** Horizontal bars in titled groups, one shared linear axis in seconds, a tick for each bar's floor. */
export function barChart(
	title: string,
	subtitle: string,
	groups: BarGroup[],
	legend: Array<{ label: string; color: string }>,
): string {
	const width = 980;
	const labelWidth = 250;
	const noteWidth = 250;
	const plotWidth = width - labelWidth - noteWidth - 20;
	const barHeight = 18;
	const gap = 6;
	const groupGap = 30;
	const top = 74;
	const max = Math.max(
		1,
		...groups.flatMap((group) => group.bars.flatMap((bar) => [bar.value, bar.floor ?? 0])),
	);
	const step = niceStep(max / 6);
	const axisMax = Math.ceil(max / step) * step;
	const x = (seconds: number) => labelWidth + (seconds / axisMax) * plotWidth;
	const body: string[] = [
		text(16, 26, title, { 'font-size': 16, 'font-weight': 'bold' }),
		text(16, 46, subtitle, { fill: '#444444' }),
	];
	let y = top;
	const rows: string[] = [];
	for (const group of groups) {
		rows.push(text(16, y + 12, group.title, { 'font-weight': 'bold' }));
		y += 20;
		for (const bar of group.bars) {
			rows.push(text(labelWidth - 8, y + barHeight - 5, bar.label, { 'text-anchor': 'end' }));
			rows.push(
				element('rect', {
					x: labelWidth,
					y,
					width: Math.max(1, x(bar.value) - labelWidth),
					height: barHeight,
					fill: bar.color,
				}),
			);
			if (bar.floor !== undefined) {
				rows.push(
					element('line', {
						x1: x(bar.floor),
						x2: x(bar.floor),
						y1: y - 3,
						y2: y + barHeight + 3,
						stroke: '#111111',
						'stroke-width': 2,
					}),
				);
			}
			rows.push(text(x(bar.value) + 6, y + barHeight - 5, bar.note, { fill: '#222222' }));
			y += barHeight + gap;
		}
		y += groupGap - gap;
	}
	const axisY = y;
	const grid: string[] = [];
	for (let tick = 0; tick <= axisMax + 1e-9; tick += step) {
		grid.push(
			element('line', { x1: x(tick), x2: x(tick), y1: top - 6, y2: axisY, stroke: '#e4e4e4' }),
		);
		grid.push(
			text(x(tick), axisY + 16, `${formatTick(tick)} s`, {
				'text-anchor': 'middle',
				fill: '#444444',
			}),
		);
	}
	let legendX = labelWidth;
	const legendY = axisY + 40;
	const legendItems: string[] = [];
	for (const item of [...legend, { label: 'floor (least possible time)', color: '' }]) {
		if (item.color)
			legendItems.push(
				element('rect', { x: legendX, y: legendY - 10, width: 12, height: 12, fill: item.color }),
			);
		else
			legendItems.push(
				element('line', {
					x1: legendX + 6,
					x2: legendX + 6,
					y1: legendY - 12,
					y2: legendY + 4,
					stroke: '#111111',
					'stroke-width': 2,
				}),
			);
		legendItems.push(text(legendX + 18, legendY, item.label));
		legendX += 26 + item.label.length * 6.5;
	}
	return svgDocument(width, legendY + 20, [...body, ...grid, ...rows, ...legendItems], title);
}

function niceStep(raw: number): number {
	const power = 10 ** Math.floor(Math.log10(raw));
	for (const factor of [1, 2, 5, 10]) if (raw <= factor * power) return factor * power;
	return 10 * power;
}

function formatTick(value: number): string {
	return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

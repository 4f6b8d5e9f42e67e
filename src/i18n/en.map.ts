import type { zhMap } from './zh-CN.map.js'

export const enMap: Record<keyof typeof zhMap, string> = {
  'nav.map': 'Asset map',
  'map.title': 'Asset map',
  'map.lead':
    'The gap between open demand and the supply that can actually serve it in each community: the redder, the more demand no fitting offer covers; the bluer, the more fitting supply than demand. Select a community for its figures and its open needs and offers.',
  'map.ignored': 'Some filters were not understood and have been ignored.',
  'map.summary.all':
    'Of {communities} communities, {short} have more demand than supply in at least one category; {none} have no open needs or offers.',
  'map.summary.category':
    '{category}: of {communities} communities, {short} have more demand than supply; {none} have no open needs or offers.',
  'map.svg.title': 'Map of community resource gaps',
  'map.svg.desc':
    'Each community is coloured by its balance of demand and supply; the table below gives the same figures.',
  'map.tip.all':
    '{name}: {needs} open {needs|need|needs}, {offers} open {offers|offer|offers}; balance {balance}; more demand than supply in: {short}',
  'map.tip.none_short': 'none',
  'map.tip.category':
    '{name} · {category}: demand {demand} {unit}, fitting supply {supply} {unit} ({needs} {needs|need|needs}, {unserved} that no offer fits; {offers} {offers|offer|offers}); balance {balance}',
  'map.hint': 'Hover over a community (or focus it with Tab) for its figures; select it for details.',
  'map.legend.title': 'Legend',
  'map.legend.0': 'Demand far exceeds supply',
  'map.legend.1': 'Demand clearly exceeds supply',
  'map.legend.2': 'Demand slightly exceeds supply',
  'map.legend.3': 'About balanced',
  'map.legend.4': 'Supply slightly exceeds demand',
  'map.legend.5': 'Supply clearly exceeds demand',
  'map.legend.6': 'Supply far exceeds demand',
  'map.legend.none': 'No open needs or offers',
  'map.panel.counts': '{needs} open {needs|need|needs}, {offers} open {offers|offer|offers}',
  'map.panel.balance': 'balance {balance}',
  'map.panel.needs': 'Open needs here',
  'map.panel.offers': 'Offers available here',
  'map.panel.by_category': 'By category',
  'map.panel.needs_n': '{count} {count|need|needs}',
  'map.panel.offers_n': '{count} {count|offer|offers}',
  'map.panel.empty': 'No open needs or offers here at the moment.',
  'map.table.caption': 'Demand and supply by community (street rows are subtotals)',
  'map.table.subtotal': 'street subtotal',
  'map.table.total': 'district total',
  'map.col.name': 'Area',
  'map.col.demand': 'Open demand',
  'map.col.supply': 'Fitting supply',
  'map.col.gap': 'Gap',
  'map.col.needs': 'Needs',
  'map.col.unserved': 'Needs no offer fits',
  'map.col.offers': 'Offers',
  'map.col.balance': 'Balance',
  'map.col.short': 'Categories short of supply',
  'map.col.demand_short': 'Demand',
  'map.col.supply_short': 'Supply',
  'map.col.gap_short': 'Gap',
  'map.col.links': 'See',
  'map.def.title': 'How these figures are worked out',
  'map.def.demand':
    'Open demand: the remaining quantity of active needs (open or partly met, not expired) placed in the community, or anywhere in the street.',
  'map.def.supply':
    'Fitting supply: the remaining capacity of offers that can serve at least one open need here by category, topic, area, schedule, conditions, capacity left and dates (the same check as the agenda and the desk). An offer covering the area that fits none of its needs is not supply here; it is counted under Offers only.',
  'map.def.gap':
    "Gap = the demand no offer fits + what fitting supply falls short of for the rest; never negative. 'Needs no offer fits' is the agenda's unmet demand. Categories have different units (hours, yuan…), so they are never added together.",
  'map.def.balance':
    'Balance, from −1 to +1: with a gap, −gap ÷ demand (−1 means no need here has a fitting offer); without one, (fitting supply − demand) ÷ the larger of the two; +1 when there is no demand and offers are available.',
  'map.def.all':
    '"All categories" balance: the mean of the categories\' balances, each weighted by its number of needs plus offers.',
  'map.def.street':
    "Street and district totals count each offer once: an offer serving a whole street or the district counts once in the total if it fits any need there, not once per community, so the communities' fitting supply can add up to more than the total. Needs placed at a street itself count in the street total only.",
  'map.def.shapes_voronoi':
    'Community shapes are drawn from their coordinates (each is the part of the picture nearest that community): a schematic, not real boundaries.',
  'map.def.shapes_grid':
    'Some communities have no coordinates, so the map is a schematic grid: one block per street, its communities as cells.',
  'agenda.title': 'Idle assets and unmet demand',
  'agenda.lead':
    "A broker's agenda for mobilizing assets: where groups need something that no one offers, and which offers sit unused.",
  'agenda.mine_first': 'Your communities come first.',
  'agenda.unmet': 'Unmet demand',
  'agenda.unmet.def': 'Needs that no open offer can serve at all, grouped by community and category.',
  'agenda.unmet.empty': 'Every open need has at least one offer that could serve it.',
  'agenda.nobody':
    'No one offers {category} in {place}; {count} {count|group needs|groups need} it ({needs} {needs|need|needs}).',
  'agenda.none_fits':
    'In {place}, {offers} {offers|offer|offers} of {category} {offers|exists|exist} but none fits; {count} {count|group needs|groups need} it ({needs} {needs|need|needs}).',
  'agenda.see_needs': 'See these needs',
  'agenda.why_not': 'Why no match',
  'agenda.idle': 'Idle offers',
  'agenda.idle.def':
    'Open offers with capacity left that no accepted or delivered match has used for {days} days or more, longest idle first.',
  'agenda.idle.empty': 'No idle offers at the moment.',
  'agenda.idle.more': 'Showing the {shown} longest idle of {total}.',
  'agenda.idle_for': 'idle for {days} days',
  'agenda.col.offer': 'Offer',
  'agenda.col.place': 'Area served',
  'agenda.col.unused': 'Unused capacity',
  'agenda.col.idle': 'Idle',
}

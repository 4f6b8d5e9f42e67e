/**
 * The demo district, in the interchange format (shared/INTERCHANGE.md) so it is loaded the same way a
 * social worker's ledger is. Names are invented; the mix (unregistered groups first) is realistic.
 */
export const demoAreas = [
  { ref: 'HB', name: '河滨区', name_en: 'Hebin District', parent: null },
  { ref: 'HB-DH', name: '东湖街道', name_en: 'Donghu Street', parent: 'HB' },
  { ref: 'HB-DH-LZW', name: '荔枝湾社区', name_en: 'Lizhiwan Community', parent: 'HB-DH', lat: 23.125, lng: 113.244 },
  { ref: 'HB-DH-DH', name: '东湖社区', name_en: 'Donghu Community', parent: 'HB-DH', lat: 23.128, lng: 113.251 },
  { ref: 'HB-DH-XG', name: '新港社区', name_en: 'Xingang Community', parent: 'HB-DH', lat: 23.131, lng: 113.262 },
  { ref: 'HB-DH-QD', name: '桥东社区', name_en: 'Qiaodong Community', parent: 'HB-DH', lat: 23.122, lng: 113.257 },
  { ref: 'HB-NA', name: '南岸街道', name_en: "Nan'an Street", parent: 'HB' },
  { ref: 'HB-NA-NA', name: '南岸社区', name_en: "Nan'an Community", parent: 'HB-NA', lat: 23.101, lng: 113.27 },
  { ref: 'HB-NA-LZ', name: '绿洲社区', name_en: 'Lüzhou Community', parent: 'HB-NA', lat: 23.097, lng: 113.281 },
  { ref: 'HB-NA-HY', name: '花园社区', name_en: 'Huayuan Community', parent: 'HB-NA', lat: 23.094, lng: 113.266 },
  { ref: 'HB-XF', name: '西坊街道', name_en: 'Xifang Street', parent: 'HB' },
  { ref: 'HB-XF-XF', name: '西坊社区', name_en: 'Xifang Community', parent: 'HB-XF', lat: 23.118, lng: 113.221 },
  { ref: 'HB-XF-FS', name: '福寿社区', name_en: 'Fushou Community', parent: 'HB-XF', lat: 23.114, lng: 113.228 },
  { ref: 'HB-XF-HP', name: '和平社区', name_en: 'Heping Community', parent: 'HB-XF', lat: 23.109, lng: 113.232 },
  { ref: 'HB-XF-LJ', name: '龙津社区', name_en: 'Longjin Community', parent: 'HB-XF', lat: 23.121, lng: 113.235 },
]

export const demoOrganizations = [
  { ref: 'org-dance', name: '荔枝湾广场舞队', kind: 'community_group', area: 'HB-DH-LZW', registered: false, trust: 'vouched', focus: ['elderly', 'culture'], members: 35, description: '每天傍晚在荔枝湾公园跳广场舞，队员多为退休长者，想参加区里的比赛。' },
  { ref: 'org-elder-help', name: '东湖长者互助队', kind: 'community_group', area: 'HB-DH-DH', registered: false, trust: 'self_declared', focus: ['elderly', 'health'], members: 22, description: '低龄长者结对探访独居高龄老人，帮忙买菜、陪诊、聊天。' },
  { ref: 'org-parents', name: '新港亲子阅读会', kind: 'community_group', area: 'HB-DH-XG', registered: false, trust: 'self_declared', focus: ['children', 'education'], members: 40, description: '家长轮流带孩子读绘本，周末在社区活动室讲故事。' },
  { ref: 'org-disability', name: '南岸残障人士互助小组', kind: 'community_group', area: 'HB-NA-NA', registered: false, trust: 'vouched', focus: ['disability'], members: 18, description: '残障人士及家属互相支持，组织康复训练和手工坊。' },
  { ref: 'org-opera', name: '西坊粤剧私伙局', kind: 'community_group', area: 'HB-XF-XF', registered: false, trust: 'self_declared', focus: ['culture', 'elderly'], members: 16, description: '粤剧爱好者每周聚会唱曲，希望有固定场地和音响设备。' },
  { ref: 'org-migrants', name: '绿洲外来务工人员联谊会', kind: 'community_group', area: 'HB-NA-LZ', registered: false, trust: 'self_declared', focus: ['migrants', 'children'], members: 60, description: '外来务工人员互助：子女课后托管、技能交流、法律咨询。' },
  { ref: 'org-green', name: '福寿垃圾分类志愿队', kind: 'community_group', area: 'HB-XF-FS', registered: false, trust: 'vouched', focus: ['environment'], members: 28, description: '居民自发组织的垃圾分类宣传和督导志愿队。' },
  { ref: 'org-dh-office', name: '东湖街道办事处', kind: 'street_office', area: 'HB-DH', registered: true, trust: 'endorsed', focus: ['community'], members: null, description: '东湖街道党群服务中心，管理社区微创投资金和公共场地。' },
  { ref: 'org-na-office', name: '南岸街道办事处', kind: 'street_office', area: 'HB-NA', registered: true, trust: 'endorsed', focus: ['community'], members: null, description: '南岸街道办事处，负责辖区公共服务与社区治理。' },
  { ref: 'org-lzw-rc', name: '荔枝湾社区居委会', kind: 'residents_committee', area: 'HB-DH-LZW', registered: true, trust: 'endorsed', focus: ['community'], members: 9, description: '荔枝湾社区居委会，有一间可借用的居民活动室。' },
  { ref: 'org-sw-agency', name: '河滨启明社会工作服务中心', kind: 'social_work_agency', area: 'HB', registered: true, trust: 'endorsed', focus: ['elderly', 'children', 'disability'], members: 45, description: '承接多个街道的社工站，提供培训、督导和项目设计支持。' },
  { ref: 'org-bakery', name: '好邻居烘焙坊', kind: 'business', area: 'HB-DH-XG', registered: true, trust: 'vouched', focus: ['community'], members: 12, description: '社区小企业，有一间二楼会议室，工作日白天空闲。' },
  { ref: 'org-telecom', name: '河滨通信营业厅', kind: 'business', area: 'HB-NA-HY', registered: true, trust: 'vouched', focus: ['elderly'], members: 30, description: '愿意派员工教长者使用智能手机，并捐赠旧设备。' },
  { ref: 'org-school', name: '西坊小学', kind: 'school', area: 'HB-XF-HP', registered: true, trust: 'endorsed', focus: ['children', 'sports'], members: null, description: '周末可开放篮球场和礼堂给社区组织使用。' },
  { ref: 'org-foundation', name: '河滨社区慈善基金会', kind: 'foundation', area: 'HB', registered: true, trust: 'endorsed', focus: ['elderly', 'disability', 'children'], members: null, description: '资助社区小额项目，单笔 2000–20000 元。' },
  { ref: 'org-volunteer-li', name: '李老师（退休教师）', kind: 'individual', area: 'HB-XF-LJ', registered: false, trust: 'self_declared', focus: ['education', 'children'], members: 1, description: '退休语文教师，愿意每周义务辅导孩子功课。' },
] as const

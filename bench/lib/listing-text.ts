/**
 * The text of generated listings: realistic bilingual titles and bodies, deterministic for a seed. bench/search.ts
 * measures search over them; bench/lib/listings.ts gives them to the generated districts every bench cache holds, so
 * this file is part of the cache's name (bench/lib/cache.ts) and search.ts, which only measures, is not.
 */
import { prng } from './prng.js'

type Topic = { zh: string[]; en: string[]; zhBody: string[]; enBody: string[] }

// What community organisations post, in both languages. Each listing draws one topic, sometimes a second.
const TOPICS: Topic[] = [
  {
    zh: ['排练场地', '活动场地', '多功能厅', '活动室'],
    en: ['rehearsal space', 'community hall', 'event venue', 'activity room'],
    zhBody: ['可容纳{n}人，有镜子和木地板', '适合舞蹈排练和讲座', '晚上和周末空闲', '有空调和投影仪'],
    enBody: [
      'holds {n} people, with mirrors and a wooden floor',
      'suitable for dance rehearsals and talks',
      'free on weekday evenings',
      'step-free access and a kitchen',
    ],
  },
  {
    zh: ['舞蹈排练', '广场舞', '舞蹈老师', '舞蹈队'],
    en: ['dance rehearsal', 'dance teacher', 'dance class', 'line dancing'],
    zhBody: ['舞蹈队每周排练两次', '需要有镜子的舞蹈室', '为长者开设舞蹈课', '准备参加区里的广场舞比赛'],
    enBody: [
      'our dance group rehearses twice a week',
      'gentle dance classes for older people',
      'preparing for the borough dance festival',
      'needs a sprung floor for dancing',
    ],
  },
  {
    zh: ['合唱团排练', '合唱指挥', '钢琴伴奏'],
    en: ['choir rehearsal', 'choir leader', 'piano accompanist'],
    zhBody: ['合唱团{n}人', '需要一台钢琴', '每周六上午排练'],
    enBody: ['a choir of {n} singers', 'needs a piano', 'rehearsals on Saturday mornings'],
  },
  {
    zh: ['长者送餐', '送餐志愿者', '老人助餐'],
    en: ['meal delivery', 'meals on wheels', 'lunch delivery for elderly'],
    zhBody: ['每天中午为独居长者送餐', '需要有电动车的志愿者', '社区食堂提供午餐'],
    enBody: [
      'delivering hot lunches to housebound residents',
      'volunteers with a car or bike',
      'the community kitchen cooks the meals',
    ],
  },
  {
    zh: ['志愿者招募', '周末志愿者', '活动志愿者'],
    en: ['volunteers wanted', 'weekend volunteers', 'event volunteers'],
    zhBody: ['招募{n}名志愿者', '提供志愿服务时长证明', '需要会说普通话和粤语'],
    enBody: [
      'we need {n} volunteers',
      'volunteer hours certificate provided',
      'Cantonese or Mandarin speakers welcome',
    ],
  },
  {
    zh: ['急救培训', '心肺复苏培训', '消防安全培训'],
    en: ['first aid training', 'CPR course', 'fire safety training'],
    zhBody: ['红十字会认证讲师授课', '每期{n}人，含AED使用', '为志愿者提供免费培训'],
    enBody: ['certified trainer, half-day course', 'up to {n} people, AED included', 'free training for volunteers'],
  },
  {
    zh: ['课后辅导', '作业辅导', '英语辅导'],
    en: ['homework tutoring', 'after-school tutoring', 'maths tutor'],
    zhBody: ['为小学生辅导作业', '大学生志愿者每周两次', '需要安静的教室'],
    enBody: [
      'help primary school children with homework',
      'university students tutor twice a week',
      'needs a quiet classroom',
    ],
  },
  {
    zh: ['小额基金', '社区基金申请', '项目资助'],
    en: ['small grants', 'community fund', 'project funding'],
    zhBody: ['提供{n}元以内的小额资助', '每季度评审一次', '用于社区公益项目'],
    enBody: ['grants of up to {n} pounds', 'reviewed every quarter', 'for neighbourhood projects'],
  },
  {
    zh: ['音响设备', '话筒和音响', '扩音器'],
    en: ['PA speakers', 'sound system', 'wireless microphones'],
    zhBody: ['两套有源音响加无线话筒', '适合户外演出', '需要一名音控志愿者'],
    enBody: ['two powered speakers and wireless mics', 'for outdoor performances', 'needs a volunteer sound engineer'],
  },
  {
    zh: ['折叠桌椅', '帐篷和桌椅', '长桌'],
    en: ['folding tables', 'chairs and tables', 'gazebo tent'],
    zhBody: ['{n}把折叠椅和长桌', '用于义卖和游园会', '需提前两天预约'],
    enBody: ['{n} folding chairs and trestle tables', 'for fairs and fundraisers', 'book two days ahead'],
  },
  {
    zh: ['旧电脑捐赠', '笔记本电脑', '平板电脑'],
    en: ['donated laptops', 'refurbished computers', 'tablets for learners'],
    zhBody: ['{n}台已格式化的笔记本电脑', '捐给社区学习中心', '用于长者数字技能课'],
    enBody: ['{n} wiped and refurbished laptops', 'for the community learning centre', 'for digital skills classes'],
  },
  {
    zh: ['食物银行', '剩余面包', '爱心冰箱'],
    en: ['food bank', 'surplus bread', 'community fridge'],
    zhBody: ['每天晚上可领取剩余面包', '需要冷藏运输', '为低收入家庭提供食物'],
    enBody: ['surplus bread every evening', 'needs chilled transport', 'food parcels for low-income families'],
  },
  {
    zh: ['衣物捐赠', '冬衣募集', '儿童衣物'],
    en: ['clothing donations', 'winter coats', "children's clothes"],
    zhBody: ['募集冬季棉衣{n}件', '衣物需清洗干净', '送往山区学校'],
    enBody: ['collecting {n} winter coats', 'clean clothes only', 'for families arriving this winter'],
  },
  {
    zh: ['车辆接送', '面包车出借', '就医陪护'],
    en: ['minibus with driver', 'hospital transport', 'van to lend'],
    zhBody: ['{n}座面包车和司机', '接送老人去医院复诊', '周末一日游'],
    enBody: [
      '{n}-seat minibus and volunteer driver',
      'taking residents to hospital appointments',
      'day trips for youth clubs',
    ],
  },
  {
    zh: ['摄影志愿者', '视频剪辑', '活动拍照'],
    en: ['photographer', 'video editing', 'event photography'],
    zhBody: ['为社区活动拍照', '剪辑宣传短视频', '自带相机'],
    enBody: ['photos of community events', 'short promotional videos', 'brings own camera'],
  },
  {
    zh: ['心理咨询', '照护者支持', '喘息服务'],
    en: ['counselling', 'carer support group', 'respite care'],
    zhBody: ['国家二级心理咨询师', '每月两次支持小组', '失智老人家属喘息服务'],
    enBody: ['qualified counsellor', 'support group twice a month', 'respite for families of people with dementia'],
  },
  {
    zh: ['法律咨询', '租房纠纷', '劳动仲裁'],
    en: ['legal advice', 'tenancy advice', 'employment rights'],
    zhBody: ['律师每周三免费咨询', '帮助填写申请表', '可以预约'],
    enBody: ['solicitor on Wednesdays', 'help filling in forms', 'by appointment'],
  },
  {
    zh: ['社区花园', '种子和工具', '屋顶菜园'],
    en: ['community garden', 'seeds and tools', 'allotment'],
    zhBody: ['需要锄头和种子', '每周日上午劳动', '欢迎亲子家庭'],
    enBody: ['needs spades and seeds', 'work mornings on Sundays', 'families welcome'],
  },
  {
    zh: ['家电维修', '自行车维修', '缝补衣物'],
    en: ['repair cafe', 'bike repair', 'sewing repairs'],
    zhBody: ['退休师傅免费修理小家电', '每月第一个周六', '自带零件'],
    enBody: ['retired engineers fix small appliances', 'first Saturday of the month', 'bring spare parts'],
  },
  {
    zh: ['英语角', '普通话课', '识字班'],
    en: ['English conversation', 'Mandarin class', 'ESOL class'],
    zhBody: ['退休英语老师带英语角', '为新移民开设中文课', '每周三晚上'],
    enBody: ['retired teacher runs the conversation club', 'classes for new arrivals', 'Wednesday evenings'],
  },
  {
    zh: ['儿童托管', '暑期托管', '亲子活动'],
    en: ['childcare', 'holiday club', 'toddler group'],
    zhBody: ['暑假期间托管{n}名儿童', '需要有资质的老师', '提供午餐'],
    enBody: ['holiday club for {n} children', 'needs DBS-checked staff', 'lunch provided'],
  },
  {
    zh: ['轮椅出借', '无障碍设施', '助行器'],
    en: ['wheelchair loan', 'accessibility ramp', 'mobility aids'],
    zhBody: ['{n}台轮椅可短期出借', '需要无障碍坡道', '适合行动不便的长者'],
    enBody: ['{n} wheelchairs for short-term loan', 'portable ramp needed', 'for residents with limited mobility'],
  },
  {
    zh: ['篮球场', '乒乓球台', '运动场地'],
    en: ['basketball court', 'table tennis', 'sports hall'],
    zhBody: ['晚上开放给青少年', '需要球和球网', '周末比赛'],
    enBody: ['open to young people in the evenings', 'needs balls and nets', 'weekend tournament'],
  },
  {
    zh: ['义诊', '量血压', '健康讲座'],
    en: ['health check', 'blood pressure checks', 'health talk'],
    zhBody: ['社区医生义诊', '为长者免费量血压', '糖尿病健康讲座'],
    enBody: ['GP-led health checks', 'free blood pressure checks for older residents', 'talk on diabetes'],
  },
  {
    zh: ['海报印刷', '传单设计', '宣传物料'],
    en: ['poster printing', 'leaflet design', 'banners'],
    zhBody: ['印刷{n}张海报', '需要设计志愿者', '下周五前完成'],
    enBody: ['print {n} posters', 'volunteer designer needed', 'by next Friday'],
  },
  {
    zh: ['烹饪课', '厨房场地', '社区厨房'],
    en: ['cooking class', 'kitchen space', 'community kitchen'],
    zhBody: ['教长者做健康餐', '需要商用厨房', '每次{n}人'],
    enBody: ['healthy cooking for older people', 'needs a commercial kitchen', '{n} people per session'],
  },
  {
    zh: ['图书捐赠', '儿童绘本', '书架'],
    en: ['book donations', "children's books", 'bookshelves'],
    zhBody: ['社区图书角需要书架', '募集儿童绘本{n}本', '欢迎捐书'],
    enBody: ['the library corner needs shelves', 'collecting {n} picture books', 'donations of books welcome'],
  },
  {
    zh: ['翻译志愿者', '陪同翻译', '文件翻译'],
    en: ['interpreter', 'translation help', 'volunteer translator'],
    zhBody: ['需要英语和中文翻译', '陪同就医翻译', '翻译社区通知'],
    enBody: ['English and Chinese interpreting', 'interpreting at GP appointments', 'translating community notices'],
  },
  {
    zh: ['网站维护', '电脑维修', '网络设置'],
    en: ['website help', 'IT support', 'wifi setup'],
    zhBody: ['帮忙维护机构网站', '修理旧电脑', '设置活动室无线网络'],
    enBody: ['help with our charity website', 'fixing old computers', 'setting up wifi in the hall'],
  },
  {
    zh: ['中秋游园会', '春节联欢', '社区节日'],
    en: ['summer fair', 'Lunar New Year party', 'street party'],
    zhBody: ['中秋晚会在小区广场举办', '需要灯笼和舞台', '预计{n}人参加'],
    enBody: ['the fair is in the park', 'needs bunting and a stage', 'about {n} people expected'],
  },
]

const ZH_PREFIX = ['需要', '急需', '提供', '可出借', '招募', '寻找', '免费提供', '']
const ZH_SUFFIX = ['', '', '（周末）', '一批', '服务', '出借', '支持']
const EN_PREFIX = ['Need', 'Wanted:', 'Offering', 'Free', 'Looking for', 'Available:', '']
const ZH_DAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日', '每周', '每月']
const ZH_TIMES = ['上午', '下午', '晚上', '中午']
const EN_DAYS = [
  'Mondays',
  'Tuesdays',
  'Wednesdays',
  'Thursdays',
  'Fridays',
  'Saturdays',
  'Sundays',
  'weekdays',
  'weekends',
]
const EN_TIMES = ['mornings', 'afternoons', 'evenings', 'lunchtimes']
const ZH_PLACE_A = [
  '长宁',
  '汉口',
  '南京',
  '淮海',
  '延安',
  '中山',
  '人民',
  '和平',
  '解放',
  '建设',
  '光明',
  '幸福',
  '东风',
  '新华',
  '朝阳',
  '文化',
]
const ZH_PLACE_B = ['路', '街', '里', '新村', '花园', '小区', '社区']
const ZH_ORG = ['社区服务中心', '居委会', '志愿者协会', '公益基金会', '老年大学', '青年中心', '妇女之家', '图书馆']
const ZH_SURNAME =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'
const ZH_GIVEN =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣佳琳瑶婷雪慧颖倩琪晨阳晓东海'
const EN_STREET = [
  'High',
  'Church',
  'Station',
  'Mill',
  'Park',
  'Victoria',
  'Green',
  'Manor',
  'Kings',
  'Queens',
  'New',
  'School',
  'North',
  'South',
]
const EN_STREET_KIND = ['Street', 'Road', 'Lane', 'Avenue', 'Close', 'Way']
const EN_ORG = [
  'Community Trust',
  'Tenants Association',
  'Youth Club',
  'Food Bank',
  'Residents Group',
  'Arts Collective',
  'Mosque',
  'Church',
  'Library',
]
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ra',
  'ton',
  'ber',
  'ley',
  'wood',
  'son',
  'dal',
  'vin',
  'ash',
  'ford',
  'ham',
  'el',
  'na',
  'sto',
  'rik',
  'pen',
  'ock',
]

export type GeneratedListing = { kind: 'need' | 'offer'; id: number; title: string; body: string }

/**
 * `n` realistic bilingual listings: about half Chinese, a third English, the rest mixed; needs and offers
 * alternate. Names, streets and numbers keep the vocabulary growing with `n`, as in real data.
 */
export function* generateListings(n: number, seed = 42): Generator<GeneratedListing> {
  const rnd = prng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]
  const num = () => String([2, 5, 10, 15, 20, 30, 40, 50, 80, 100, 200, 500, 1000, 5000][Math.floor(rnd() * 14)])
  const fill = (s: string) => s.replaceAll('{n}', num)
  const zhName = () => pick([...ZH_SURNAME]) + pick([...ZH_GIVEN]) + (rnd() < 0.6 ? pick([...ZH_GIVEN]) : '')
  const enName = () => {
    const k = 2 + Math.floor(rnd() * 2)
    let s = ''
    for (let i = 0; i < k; i++) s += pick(SYLLABLES)
    return s[0].toUpperCase() + s.slice(1)
  }
  const zhPlace = () => pick(ZH_PLACE_A) + pick(ZH_PLACE_B) + (rnd() < 0.5 ? `${1 + Math.floor(rnd() * 300)}号` : '')
  const enPlace = () =>
    `${1 + Math.floor(rnd() * 200)} ${rnd() < 0.3 ? enName() : pick(EN_STREET)} ${pick(EN_STREET_KIND)}`
  const phone = () => `1${3 + Math.floor(rnd() * 6)}${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}`

  for (let id = 1; id <= n; id++) {
    const kind = id % 2 === 0 ? 'offer' : 'need'
    const topic = pick(TOPICS)
    const other = rnd() < 0.3 ? pick(TOPICS) : undefined
    const lang = rnd()
    let title: string
    const body: string[] = []
    if (lang < 0.5) {
      title = `${pick(ZH_PREFIX)}${pick(topic.zh)}${pick(ZH_SUFFIX)}`
      body.push(fill(pick(topic.zhBody)), fill(pick(topic.zhBody)))
      if (other) body.push(`另外也需要${pick(other.zh)}`)
      body.push(`${pick(ZH_DAYS)}${pick(ZH_TIMES)}，地点在${zhPlace()}${rnd() < 0.5 ? pick(ZH_ORG) : ''}`)
      if (rnd() < 0.5) body.push(`联系人：${zhName()}${rnd() < 0.4 ? `，电话${phone()}` : ''}`)
    } else if (lang < 0.85) {
      title = `${pick(EN_PREFIX)} ${pick(topic.en)}`.trim()
      body.push(fill(pick(topic.enBody)), fill(pick(topic.enBody)))
      if (other) body.push(`we could also use ${pick(other.en)}`)
      body.push(
        `${pick(EN_DAYS)} ${pick(EN_TIMES)} at ${enPlace()}${rnd() < 0.5 ? `, ${enName()} ${pick(EN_ORG)}` : ''}`,
      )
      if (rnd() < 0.5) body.push(`contact ${enName()} ${enName()}`)
    } else {
      title =
        rnd() < 0.5 ? `${pick(topic.zh)} ${pick(topic.en)}` : `${pick(ZH_PREFIX)}${pick(topic.zh)} / ${pick(topic.en)}`
      body.push(fill(pick(topic.zhBody)), fill(pick(topic.enBody)))
      body.push(`${pick(ZH_DAYS)}${pick(ZH_TIMES)} ${pick(EN_DAYS)} ${pick(EN_TIMES)}，${zhPlace()} / ${enPlace()}`)
      if (rnd() < 0.5) body.push(`联系 ${zhName()} ${enName()}`)
    }
    yield { kind, id, title, body: body.join(lang < 0.5 ? '。' : '. ') }
  }
}

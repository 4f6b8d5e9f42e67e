/** A fixed set of community listings, written the way organisations and residents post them. */
import Database from 'better-sqlite3'
import { onTestFinished } from 'vitest'
import { ensureSearchIndex, indexDoc, type Kind } from '../../../src/search/fts.js'

export type Listing = { kind: Kind; id: number; category: string; title: string; body: string }

export const corpus: Listing[] = [
  // ---- offers ----
  {
    kind: 'offer',
    id: 1,
    category: 'venue',
    title: '社区活动中心多功能厅出借',
    body: '周一至周五晚上空闲，可容纳80人，有镜子墙和木地板，适合舞蹈排练、讲座。',
  },
  {
    kind: 'offer',
    id: 2,
    category: 'venue',
    title: 'Rehearsal space in church hall',
    body: 'Large hall with piano, free on Tuesday and Thursday evenings. Choirs and drama groups welcome.',
  },
  {
    kind: 'offer',
    id: 3,
    category: 'venue',
    title: '舞蹈室免费使用',
    body: '本店舞蹈室周末上午空闲，欢迎社区舞蹈队、广场舞团队预约排练。',
  },
  {
    kind: 'offer',
    id: 4,
    category: 'materials',
    title: '音响设备出借 PA speakers',
    body: '两套有源音响（JBL speakers）加无线麦克风，适合户外演出和社区活动，需自取。',
  },
  {
    kind: 'offer',
    id: 5,
    category: 'materials',
    title: 'Portable speakers and microphone',
    body: 'Bluetooth speaker with two wireless mics, good for small events of up to 50 people.',
  },
  {
    kind: 'offer',
    id: 6,
    category: 'volunteers',
    title: '志愿者：周末可协助长者送餐',
    body: '本人有电动车，周六周日上午可以帮忙给社区独居老人送餐。',
  },
  {
    kind: 'offer',
    id: 7,
    category: 'volunteers',
    title: 'Volunteer drivers for elderly meal delivery',
    body: 'Three retired volunteers with cars, available weekday lunchtimes for meals on wheels.',
  },
  {
    kind: 'offer',
    id: 8,
    category: 'training',
    title: '急救培训课程（红十字会认证）',
    body: '为社区志愿者提供免费急救培训，每期20人，含心肺复苏和AED使用。',
  },
  {
    kind: 'offer',
    id: 9,
    category: 'training',
    title: 'First aid training for volunteers',
    body: 'Certified trainer offers a free half-day first aid course, CPR and AED included.',
  },
  {
    kind: 'offer',
    id: 10,
    category: 'funds',
    title: '小额社区基金申请',
    body: '基金会为社区项目提供5000元以内的小额资助，每季度评审一次。',
  },
  {
    kind: 'offer',
    id: 11,
    category: 'funds',
    title: 'Small grants fund for neighbourhood projects',
    body: 'Grants of up to 500 pounds for community groups. Apply online before the end of the month.',
  },
  {
    kind: 'offer',
    id: 12,
    category: 'materials',
    title: '折叠桌椅出借',
    body: '30把折叠椅、6张长桌，可用于社区活动、义卖和讲座，需提前两天预约。',
  },
  {
    kind: 'offer',
    id: 13,
    category: 'materials',
    title: 'Folding tables and chairs to lend',
    body: 'We can lend 40 chairs and 8 tables for fairs and meetings. Pick up from our warehouse.',
  },
  {
    kind: 'offer',
    id: 14,
    category: 'volunteers',
    title: '英语角志愿者老师',
    body: '退休英语老师，每周三晚上可以带社区英语角，也可以辅导小学生作业。',
  },
  {
    kind: 'offer',
    id: 15,
    category: 'volunteers',
    title: 'Homework tutoring after school',
    body: 'University students volunteer as tutors for primary school children, Monday to Thursday.',
  },
  {
    kind: 'offer',
    id: 16,
    category: 'venue',
    title: '会议室场地免费提供',
    body: '写字楼会议室晚上和周末免费开放给公益组织开会、培训使用，投影仪齐全。',
  },
  {
    kind: 'offer',
    id: 17,
    category: 'venue',
    title: 'Meeting room with projector',
    body: 'Our office meeting room seats 20, projector and whiteboard, free for charities on weekends.',
  },
  {
    kind: 'offer',
    id: 18,
    category: 'materials',
    title: '旧电脑捐赠',
    body: '公司淘汰的笔记本电脑10台，已格式化，可捐给社区学习中心或有需要的家庭。',
  },
  {
    kind: 'offer',
    id: 19,
    category: 'materials',
    title: 'Donated laptops for learners',
    body: 'Ten refurbished laptops with chargers, for adult learners or students who need a computer.',
  },
  {
    kind: 'offer',
    id: 20,
    category: 'volunteers',
    title: '摄影志愿者',
    body: '业余摄影爱好者，可以免费为社区活动拍照、剪辑短视频。',
  },
  {
    kind: 'offer',
    id: 21,
    category: 'expertise',
    title: 'Dance teacher for seniors',
    body: 'Retired dancer offers gentle dance classes for older people, chair-based options available.',
  },
  {
    kind: 'offer',
    id: 22,
    category: 'materials',
    title: '面包店每日剩余面包',
    body: '每天晚上八点后可领取当天未售完的面包，适合社区食物银行。',
  },
  {
    kind: 'offer',
    id: 23,
    category: 'volunteers',
    title: 'Minibus with driver for outings',
    body: '16-seat minibus and volunteer driver, for day trips with elderly residents or youth clubs.',
  },
  {
    kind: 'offer',
    id: 24,
    category: 'expertise',
    title: '心理咨询师公益咨询',
    body: '国家二级心理咨询师，每月两次为照护者提供免费心理支持小组。',
  },

  // ---- needs ----
  {
    kind: 'need',
    id: 101,
    category: 'venue',
    title: '舞蹈队需要排练场地',
    body: '我们社区舞蹈队有30人，每周二、四晚上需要一个有镜子的排练场地，两小时。',
  },
  {
    kind: 'need',
    id: 102,
    category: 'venue',
    title: 'Need a rehearsal room for youth choir',
    body: 'Our youth choir of 25 needs a room with a piano for weekly rehearsals on Saturday mornings.',
  },
  {
    kind: 'need',
    id: 103,
    category: 'volunteers',
    title: '长者送餐志愿者招募',
    body: '社区食堂每天中午为40位独居长者送餐，急需周一到周五的送餐志愿者。',
  },
  {
    kind: 'need',
    id: 104,
    category: 'volunteers',
    title: 'Volunteers wanted for meal delivery',
    body: 'Looking for volunteers with a car to deliver hot lunches to housebound elderly residents.',
  },
  {
    kind: 'need',
    id: 105,
    category: 'materials',
    title: '户外演出需要音响',
    body: '中秋晚会在小区广场举办，需要一套音响和两个话筒，晚上六点到九点。',
  },
  {
    kind: 'need',
    id: 106,
    category: 'materials',
    title: 'Speakers needed for summer fair',
    body: 'We need a PA system or loud speakers for announcements at our summer fair in the park.',
  },
  {
    kind: 'need',
    id: 107,
    category: 'training',
    title: '志愿者急救培训',
    body: '我们有15名新志愿者，希望有机构提供急救培训和心肺复苏练习。',
  },
  {
    kind: 'need',
    id: 108,
    category: 'training',
    title: 'Training for new volunteers',
    body: 'Safeguarding and first aid training needed for a group of new volunteers at our food bank.',
  },
  {
    kind: 'need',
    id: 109,
    category: 'materials',
    title: '社区图书角需要书架',
    body: '图书角收到很多捐赠书籍，需要两个书架和一些儿童绘本。',
  },
  {
    kind: 'need',
    id: 110,
    category: 'funds',
    title: 'Funding for community garden',
    body: 'Seeking a small grant or fund to buy tools, seeds and a water butt for the community garden.',
  },
  {
    kind: 'need',
    id: 111,
    category: 'volunteers',
    title: '照护者喘息服务',
    body: '失智老人家属需要每周半天的喘息服务，希望有志愿者陪伴老人。',
  },
  {
    kind: 'need',
    id: 112,
    category: 'materials',
    title: 'Laptops for digital skills class',
    body: 'Our digital skills class for older learners needs six laptops and a projector.',
  },
  {
    kind: 'need',
    id: 113,
    category: 'materials',
    title: '广场舞比赛需要音响 speakers',
    body: '社区广场舞比赛，需要音响 speakers 和一名音控志愿者。',
  },
  {
    kind: 'need',
    id: 114,
    category: 'venue',
    title: '儿童绘画班需要场地',
    body: '周末儿童绘画班需要一个可以容纳15个孩子的教室或活动室。',
  },
  {
    kind: 'need',
    id: 115,
    category: 'volunteers',
    title: 'Driver for hospital appointments',
    body: 'Elderly residents need a volunteer driver to take them to hospital appointments twice a week.',
  },
  {
    kind: 'need',
    id: 116,
    category: 'materials',
    title: '中秋活动需要折叠桌椅',
    body: '中秋游园会需要20张折叠桌和60把椅子，用一天。',
  },
]

/** An in-memory index holding the corpus, closed when the test finishes. */
export function freshDb(): Database.Database {
  const sqlite = new Database(':memory:')
  onTestFinished(() => void sqlite.close())
  ensureSearchIndex(sqlite)
  for (const doc of corpus) indexDoc(sqlite, doc)
  return sqlite
}

export const ids = (hits: { id: number }[]) => hits.map((h) => h.id)

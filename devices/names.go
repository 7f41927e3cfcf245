package devices

import (
	"fmt"
	"math/rand/v2"
)

// Demo data for Generate: the regions of 承德 with a weight (share of the
// city's schools), how urban they are, and the towns that rural school names
// use. Place names are real to give the demo its look; every school, pupil
// count and device is invented.
type regionProfile struct {
	code   string
	short  string  // name used in school names ("丰宁县" for 丰宁满族自治县)
	weight int     // relative number of schools
	urban  float64 // share of schools in the town proper
	towns  []string
}

var regionProfiles = []regionProfile{
	{"130802", "双桥区", 11, 0.85, []string{"西大街", "头道牌楼", "潘家沟", "中华路", "新华路", "石洞子沟", "桥东", "狮子沟", "牛圈子沟", "大石庙", "双峰寺"}},
	{"130803", "双滦区", 6, 0.6, []string{"元宝山", "钢城", "滦河", "双塔山", "大庙", "偏桥子", "西地", "陈栅子"}},
	{"130804", "鹰手营子矿区", 3, 0.6, []string{"铁北路", "鹰手营子", "北马圈子", "寿王坟", "汪庄"}},
	{"130821", "承德县", 11, 0.25, []string{"下板城", "上板城", "甲山", "六沟", "三沟", "头沟", "高寺台", "鞍匠", "三家", "磴上", "孟家院", "大营子", "八家", "东小白旗", "岗子", "五道河", "仓子", "新杖子", "两家", "刘杖子", "满杖子", "石灰窑", "张家营"}},
	{"130822", "兴隆县", 9, 0.3, []string{"兴隆", "半壁山", "挂兰峪", "青松岭", "六道河", "平安堡", "北营房", "孤山子", "蓝旗营", "雾灵山", "李家营", "大杖子", "三道河", "大水泉", "南天门", "八卦岭", "陡子峪", "上石洞", "北水泉", "安子岭"}},
	{"130824", "滦平县", 9, 0.3, []string{"中兴路", "滦平", "长山峪", "红旗", "金沟屯", "虎什哈", "巴克什营", "张百湾", "付营子", "大屯", "火斗山", "平坊", "安纯沟门", "小营", "西沟", "邓厂", "五道营子", "两间房", "涝洼", "周台子"}},
	{"130825", "隆化县", 11, 0.25, []string{"隆化", "韩麻营", "中关", "七家", "汤头沟", "张三营", "唐三营", "蓝旗", "步古沟", "郭家屯", "荒地", "章吉营", "茅荆坝", "尹家营", "庙子沟", "偏坡营", "山湾", "八达营", "太平庄", "旧屯", "西阿超", "白虎沟", "碱房", "韩家店", "湾沟门"}},
	{"130826", "丰宁县", 11, 0.25, []string{"大阁", "大滩", "鱼儿山", "土城", "黄旗", "凤山", "波罗诺", "黑山嘴", "天桥", "胡麻营", "万胜永", "四岔口", "苏家店", "外沟门", "草原", "窟窿山", "小坝子", "五道营", "南关", "选将营", "西官营", "王营", "北头营", "石人沟", "汤河", "杨木栅子"}},
	{"130827", "宽城县", 7, 0.3, []string{"宽城", "龙须门", "峪耳崖", "板城", "汤道河", "饽罗台", "碾子峪", "亮甲台", "化皮", "独石沟", "塌山", "孟子岭", "东黄花川", "东大地", "铧尖", "苇子沟", "大字沟门", "大石柱子"}},
	{"130828", "围场县", 14, 0.2, []string{"围场", "四合永", "克勒沟", "棋盘山", "半截塔", "朝阳地", "朝阳湾", "腰站", "龙头山", "新拨", "御道口", "城子", "大唤起", "哈里哈", "张家湾", "宝元栈", "山湾子", "三义永", "姜家店", "下伙房", "燕格柏", "牌楼", "广发永", "育太和", "郭家湾", "杨家湾", "大头山", "南山嘴", "西龙头", "新地", "老窝铺", "石桌子", "兰旗卡伦", "银窝沟", "道坝子", "黄土坎", "四道沟", "御道口牧场"}},
	{"130871", "高新区", 4, 0.7, []string{"冯营子", "上板城", "大石庙", "滦河"}},
	{"130881", "平泉市", 12, 0.3, []string{"平泉", "黄土梁子", "榆树林子", "杨树岭", "七沟", "小寺沟", "党坝", "卧龙", "南五十家子", "北五十家子", "桲椤树", "柳溪", "七家岱", "台头山", "道虎沟", "王土房", "蒙和乌苏", "茅兰沟", "青河"}},
}

// specialRegions are where the special-education schools are, in the order
// Generate hands them out (one per county-level division).
var specialRegions = []string{"130802", "130828", "130881", "130821", "130825", "130826", "130822", "130824", "130827"}

var (
	kgWords     = []string{"阳光", "蓝天", "春苗", "小太阳", "童心", "启明星", "金色童年", "爱心", "育才", "快乐", "七彩", "小天使", "彩虹", "明德", "博雅", "贝贝", "智慧树", "新星", "花朵", "小红帽", "向日葵", "小百灵", "童乐", "小橡树", "稚趣"}
	urbanWords  = []string{"实验", "育才", "东方红", "民族", "铁路", "光明", "新华", "朝阳", "红旗", "希望"}
	villages    = []string{"东沟", "西沟", "南台", "北台", "前营", "后营", "上营", "下营", "大杖子", "小杖子", "王家营", "李家店", "张家沟", "石门", "榆树沟", "梨树沟", "黄花川", "柳树底", "北沟门", "南沟门"}
	numeralsCNs = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
)

// cnNumber writes 1..99 in Chinese numerals ("十二", "二十一").
func cnNumber(n int) string {
	switch {
	case n <= 0 || n > 99:
		return fmt.Sprint(n)
	case n <= 10:
		return numeralsCNs[n-1]
	case n < 20:
		return "十" + numeralsCNs[n-11]
	case n%10 == 0:
		return numeralsCNs[n/10-1] + "十"
	}
	return numeralsCNs[n/10-1] + "十" + numeralsCNs[n%10-1]
}

// namer hands out unique school names.
type namer struct {
	rng   *rand.Rand
	used  map[string]bool
	count map[string]int // "<region>/<type>" → numbered names handed out
}

func newNamer(rng *rand.Rand) *namer {
	return &namer{rng: rng, used: map[string]bool{}, count: map[string]int{}}
}

// typeSuffix is the last part of a school's name by type.
var typeSuffix = map[SchoolType]string{
	SchoolKindergarten: "幼儿园",
	SchoolPrimary:      "小学",
	SchoolSecondary:    "中学",
	SchoolTeachingPt:   "教学点",
	SchoolSpecial:      "特殊教育学校",
}

// name returns a new unique name for a school of type t in region g:
// "双桥区第三小学", "承德县实验中学", "滦平县虎什哈阳光幼儿园".
func (nm *namer) name(g *regionProfile, t SchoolType, urban bool) string {
	suffix := typeSuffix[t]
	if t == SchoolSpecial {
		if g.code == "130802" && !nm.used["承德市特殊教育学校"] {
			return nm.take("承德市特殊教育学校")
		}
		if n := g.short + suffix; !nm.used[n] {
			return nm.take(n)
		}
	}
	for try := 0; try < 8; try++ {
		var n string
		town := g.towns[nm.rng.IntN(len(g.towns))]
		switch {
		case t == SchoolTeachingPt:
			n = g.short + town + villages[nm.rng.IntN(len(villages))] + suffix
		case urban && t == SchoolKindergarten:
			n = g.short + kgWords[nm.rng.IntN(len(kgWords))] + suffix
		case urban:
			n = g.short + urbanWords[nm.rng.IntN(len(urbanWords))] + suffix
		case t == SchoolKindergarten && nm.rng.IntN(3) == 0:
			n = g.short + town + "中心" + suffix
		case t == SchoolKindergarten:
			n = g.short + town + kgWords[nm.rng.IntN(len(kgWords))] + suffix
		case t == SchoolPrimary && nm.rng.IntN(2) == 0:
			n = g.short + town + "中心" + suffix
		case t == SchoolPrimary:
			n = g.short + town + villages[nm.rng.IntN(len(villages))] + suffix
		default:
			n = g.short + town + suffix
		}
		if urban && try == 0 && nm.rng.IntN(2) == 0 {
			n = "" // half the town schools are numbered: 第三小学
		}
		if n != "" && !nm.used[n] {
			return nm.take(n)
		}
	}
	key := g.code + "/" + string(t)
	for {
		nm.count[key]++
		n := g.short + "第" + cnNumber(nm.count[key]) + suffix
		if !nm.used[n] {
			return nm.take(n)
		}
	}
}

func (nm *namer) take(n string) string {
	nm.used[n] = true
	return n
}

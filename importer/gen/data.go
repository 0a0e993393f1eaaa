package gen

import "strings"

// The tables below are invented people, companies and offers. Domains use the
// reserved .example TLD so that a generated file can never mail a real person.
// Names come in "Native/roman" pairs: the native spelling goes into the lead,
// the ASCII romanisation builds the email address, as real addresses do.

// name is one given or family name with the ASCII form used in emails.
type name struct {
	native, roman string
}

// country is an ISO-ish code as Microsoft sends it and its calling code.
type country struct {
	code, dial string
}

// company is a customer organisation and the domain its people mail from.
type company struct {
	name, domain string
}

// culture groups names, countries and local flavour that belong together, so
// that a Japanese name does not come with a Brazilian phone number.
type culture struct {
	weight    int
	countries []country
	first     []name
	last      []name
	companies []company // local companies, used part of the time
	titles    []string  // local job titles, used part of the time
}

// names parses "Native/roman" pairs separated by "|".
func names(s string) []name {
	parts := strings.Split(s, "|")
	out := make([]name, len(parts))
	for i, p := range parts {
		n, r, ok := strings.Cut(p, "/")
		if !ok {
			panic("gen: name without romanisation: " + p)
		}
		out[i] = name{n, r}
	}
	return out
}

// countries parses "CODE:dial" pairs separated by spaces; a code repeated
// weights it.
func countries(s string) []country {
	f := strings.Fields(s)
	out := make([]country, len(f))
	for i, p := range f {
		c, d, _ := strings.Cut(p, ":")
		out[i] = country{c, d}
	}
	return out
}

// companies parses "Name/domain" pairs separated by "|".
func companies(s string) []company {
	parts := strings.Split(s, "|")
	out := make([]company, len(parts))
	for i, p := range parts {
		// The domain is after the last "/" because names may contain one.
		j := strings.LastIndexByte(p, '/')
		out[i] = company{p[:j], p[j+1:]}
	}
	return out
}

var cultures = []culture{
	{ // English-speaking; "USA" appears because Microsoft has sent it.
		weight:    24,
		countries: countries("US:1 US:1 US:1 US:1 USA:1 USA:1 GB:44 GB:44 CA:1 AU:61 IE:353 NZ:64"),
		first:     names("John/john|Emily/emily|Michael/michael|Sarah/sarah|David/david|Jessica/jessica|Chris/chris|Ashley/ashley|Kevin/kevin|Megan/megan|Brian/brian|Laura/laura|Siobhan/siobhan|Liam/liam"),
		last:      names("Smith/smith|Johnson/johnson|Williams/williams|Brown/brown|Jones/jones|Miller/miller|Davis/davis|O'Brien/obrien|Anderson/anderson|Taylor/taylor|McAllister/mcallister|Nguyen/nguyen|Walsh/walsh"),
	},
	{
		weight:    7,
		countries: countries("ES:34 ES:34 MX:52 MX:52 AR:54 CO:57 CL:56"),
		first:     names("José/jose|María/maria|Jesús/jesus|Lucía/lucia|Ángel/angel|Sofía/sofia|Raúl/raul|Inés/ines|Martín/martin|Begoña/begona"),
		last:      names("Álvarez/alvarez|García/garcia|Núñez/nunez|Pérez/perez|Martínez/martinez|Gómez/gomez|Ibáñez/ibanez|Sánchez/sanchez|Muñoz/munoz|de la Fuente/delafuente"),
		companies: companies("Fabrikam, S.A./fabrikam-es|Soluciones Núñez y Asociados, S.L./nunez-asociados"),
		titles:    []string{"Jefe de Sistemas", "Director de TI", "Gerente de Compras"},
	},
	{
		weight:    5,
		countries: countries("FR:33 FR:33 FR:33 BE:32 CA:1 CH:41"),
		first:     names("François/francois|Hélène/helene|Zoé/zoe|Jérôme/jerome|Cécile/cecile|Léa/lea|Benoît/benoit|Anaïs/anais|Amélie/amelie|Gaëtan/gaetan"),
		last:      names("Lefèvre/lefevre|Dubois/dubois|Bérard/berard|Girard/girard|Lemaître/lemaitre|Moreau/moreau|Fauré/faure|Crépin/crepin|Lambert/lambert"),
		companies: companies("Société Générale d'Électronique/sge|Les Ateliers « Du Nord », SARL/ateliers-du-nord"),
		titles:    []string{"Directeur informatique", "Responsable des achats", "DSI"},
	},
	{
		weight:    6,
		countries: countries("DE:49 DE:49 DE:49 AT:43 CH:41"),
		first:     names("Jürgen/juergen|Björn/bjoern|Jörg/joerg|Günther/guenther|Sabine/sabine|Käthe/kaethe|Lukas/lukas|Anna/anna|Maximilian/maximilian"),
		last:      names("Müller/mueller|Schröder/schroeder|Weiß/weiss|Groß/gross|Schäfer/schaefer|Köhler/koehler|Hoffmann/hoffmann|Becker/becker"),
		companies: companies(`Bäckerei "Zum Löwen" GmbH/zumloewen|Müller & Söhne KG/mueller-soehne`),
		titles:    []string{"Geschäftsführer", "IT-Leiterin", "Leiter Einkauf"},
	},
	{
		weight:    2,
		countries: countries("PL:48"),
		first:     names("Łukasz/lukasz|Małgorzata/malgorzata|Paweł/pawel|Zofia/zofia|Grzegorz/grzegorz|Agnieszka/agnieszka"),
		last:      names("Wójcik/wojcik|Kowalska/kowalska|Nowak/nowak|Wiśniewski/wisniewski|Zieliński/zielinski|Dąbrowska/dabrowska"),
		companies: companies("Wiśniewski i Wspólnicy Sp. z o.o./wisniewski"),
	},
	{
		weight:    4,
		countries: countries("BR:55 BR:55 BR:55 PT:351"),
		first:     names("João/joao|Conceição/conceicao|Luís/luis|Ana/ana|Gonçalo/goncalo|Márcia/marcia"),
		last:      names("Gonçalves/goncalves|Araújo/araujo|Simões/simoes|Souza/souza|Magalhães/magalhaes|Ribeiro/ribeiro"),
		companies: companies("Araújo & Filhos Ltda./araujo-filhos"),
	},
	{
		weight:    3,
		countries: countries("SE:46 NO:47 DK:45 FI:358"),
		first:     names("Åsa/asa|Søren/soren|Ørjan/orjan|Märta/marta|Lars/lars|Ingrid/ingrid|Jyrki/jyrki"),
		last:      names("Sjöström/sjostrom|Østergaard/ostergaard|Ångström/angstrom|Nørgaard/norgaard|Lindqvist/lindqvist|Häkkinen/hakkinen"),
	},
	{
		weight:    2,
		countries: countries("TR:90"),
		first:     names("Çağlar/caglar|Gülşen/gulsen|İsmail/ismail|Şule/sule|Oğuz/oguz"),
		last:      names("Öztürk/ozturk|Yılmaz/yilmaz|Şahin/sahin|Çelik/celik|Doğan/dogan"),
		companies: companies("Öztürk Yazılım A.Ş./ozturk-yazilim"),
	},
	{
		weight:    2,
		countries: countries("VN:84"),
		first:     names("Văn An/an|Thị Hoa/hoa|Minh Đức/duc|Thu Trang/trang"),
		last:      names("Nguyễn/nguyen|Trần/tran|Lê/le|Phạm/pham"),
		companies: companies("Công ty TNHH Phần mềm Sài Gòn/saigonsoft"),
	},
	{
		weight:    7,
		countries: countries("CN:86 CN:86 TW:886 SG:65 HK:852"),
		first:     names("伟/wei|芳/fang|静/jing|磊/lei|美玲/meiling|志明/zhiming|欣怡/xinyi"),
		last:      names("王/wang|李/li|张/zhang|陈/chen|林/lin|黃/huang|劉/liu"),
		companies: companies("北风贸易有限公司/northwind-cn|台北數位科技股份有限公司/tpdigital"),
		titles:    []string{"技术总监", "資訊部經理", "采购经理"},
	},
	{
		weight:    5,
		countries: countries("JP:81"),
		first:     names("健二/kenji|美咲/misaki|翔太/shota|由美子/yumiko|大輔/daisuke|さくら/sakura"),
		last:      names("佐藤/sato|鈴木/suzuki|高橋/takahashi|田中/tanaka|渡辺/watanabe|伊藤/ito"),
		companies: companies("株式会社ライトウェア/litware-jp|富士山ソフト株式会社/fujisan-soft"),
		titles:    []string{"部長", "情報システム部 課長", "代表取締役"},
	},
	{
		weight:    3,
		countries: countries("KR:82"),
		first:     names("민준/minjun|서연/seoyeon|지훈/jihoon|하은/haeun"),
		last:      names("김/kim|이/lee|박/park|최/choi|정/jung"),
		companies: companies("주식회사 코호/coho-kr"),
		titles:    []string{"팀장", "IT 매니저"},
	},
	{
		weight:    3,
		countries: countries("RU:7 RU:7 KZ:7"),
		first:     names("Дмитрий/dmitry|Анна/anna|Сергей/sergey|Екатерина/ekaterina|Алексей/alexey|Ольга/olga"),
		last:      names("Иванов/ivanov|Смирнова/smirnova|Кузнецов/kuznetsov|Попова/popova|Соколов/sokolov"),
		companies: companies(`ООО "Ромашка"/romashka|АО «Северный ветер»/severny-veter`),
		titles:    []string{"Руководитель отдела ИТ", "Генеральный директор"},
	},
	{
		weight:    1,
		countries: countries("UA:380"),
		first:     names("Олена/olena|Тарас/taras|Ігор/ihor|Юлія/yuliia"),
		last:      names("Шевченко/shevchenko|Коваленко/kovalenko|Бондаренко/bondarenko|Ткачук/tkachuk"),
		companies: companies(`ТОВ "Київ Софт"/kyivsoft`),
	},
	{
		weight:    3,
		countries: countries("SA:966 AE:971 AE:971 EG:20 JO:962"),
		first:     names("محمد/mohammed|فاطمة/fatima|أحمد/ahmed|ليلى/layla|خالد/khaled|نور/noor"),
		last:      names("العلي/alali|الحسن/alhassan|المنصوري/almansoori|حداد/haddad|الشمري/alshammari"),
		companies: companies("شركة النخبة للتقنية/elite-tech|مجموعة الخليج، ش.م.م/gulf-group"),
		titles:    []string{"مدير تقنية المعلومات", "مدير المشتريات"},
	},
	{ // Devanagari spellings; most Indian leads are Latin (next culture).
		weight:    2,
		countries: countries("IN:91"),
		first:     names("राहुल/rahul|प्रिया/priya|अनिल/anil|सुनीता/sunita|विकास/vikas"),
		last:      names("शर्मा/sharma|वर्मा/verma|गुप्ता/gupta|पटेल/patel|सिंह/singh"),
		companies: companies("सरस्वती सॉफ्टवेयर प्रा. लि./saraswati-soft"),
	},
	{
		weight:    6,
		countries: countries("IN:91 IN:91 IN:91 LK:94"),
		first:     names("Priya/priya|Arjun/arjun|Deepika/deepika|Sanjay/sanjay|Lakshmi/lakshmi|Rohan/rohan"),
		last:      names("Raman/raman|Iyer/iyer|Nair/nair|Reddy/reddy|Krishnan/krishnan|Banerjee/banerjee"),
	},
	{
		weight:    1,
		countries: countries("GR:30 CY:357"),
		first:     names("Γιώργος/giorgos|Μαρία/maria|Νίκος/nikos|Ελένη/eleni|Δημήτρης/dimitris"),
		last:      names("Παπαδόπουλος/papadopoulos|Οικονόμου/oikonomou|Γεωργίου/georgiou|Νικολάου/nikolaou"),
		companies: companies("Ελληνικά Συστήματα Α.Ε./hellenic-systems"),
		titles:    []string{"Διευθυντής Πληροφορικής"},
	},
	{
		weight:    1,
		countries: countries("IL:972"),
		first:     names("דוד/david|נועה/noa|יוסי/yossi|מיכל/michal|אבי/avi"),
		last:      names("כהן/cohen|לוי/levi|מזרחי/mizrahi|פרץ/peretz|ביטון/biton"),
		// The ASCII quote inside בע"מ is how Israelis usually type it.
		companies: companies(`אורנים טכנולוגיות בע"מ/oranim-tech`),
		titles:    []string{"מנהל מערכות מידע"},
	},
	{
		weight:    1,
		countries: countries("TH:66"),
		first:     names("สมชาย/somchai|สุดารัตน์/sudarat|ธนพล/thanaphon"),
		last:      names("ใจดี/jaidee|ศรีสุข/srisuk|วงศ์สวัสดิ์/wongsawat"),
		companies: companies("บริษัท สยามซอฟต์ จำกัด/siamsoft"),
	},
	{
		weight:    3,
		countries: countries("NG:234 NG:234 KE:254 ZA:27 GH:233"),
		first:     names("Olu/olu|Chiamaka/chiamaka|Tunde/tunde|Ngozi/ngozi|Kwame/kwame|Wanjiru/wanjiru"),
		last:      names("Adeyemi/adeyemi|Okafor/okafor|Mensah/mensah|Mwangi/mwangi|Nkosi/nkosi"),
		companies: companies("Lagos Data Services Ltd/lagosdata"),
	},
}

// globalCompanies are used by every culture; several carry commas, quotes,
// apostrophes and ampersands because those are what break naive CSV code.
var globalCompanies = companies(`Northwind Traders/northwind|Fabrikam, Inc./fabrikam|Contoso Pharmaceuticals/contosopharma|` +
	`Tailspin Toys/tailspin|Litware, Inc./litware|Adventure Works Cycles/adventure-works|A. Datum Corporation/adatum|` +
	`Wide World Importers/wideworldimporters|Woodgrove Bank/woodgrovebank|Fourth Coffee/fourthcoffee|` +
	`Alpine Ski House/alpineskihouse|Coho Winery/cohowinery|Trey Research/treyresearch|Proseware, Inc./proseware|` +
	`Margie's Travel/margiestravel|Lamna Healthcare Company/lamna|Relecloud/relecloud|VanArsdel, Ltd./vanarsdel|` +
	`Humongous Insurance/humongousinsurance|Wingtip Toys/wingtiptoys|Blue Yonder Airlines/blueyonder|` +
	`"Best For You" Organics Company/bestforyou|First Up Consultants/firstup|Consolidated Messenger/consolidatedmessenger|` +
	`Southridge Video/southridgevideo|Nod Publishers/nodpublishers|City Power & Light/cpandl|The Phone Company/thephonecompany`)

// freeMail domains stand in for personal mailboxes, which many leads use.
var freeMail = []string{"outlook.example", "gmail.example", "yahoo.example", "proton.example"}

var titles = []string{
	"IT Director", "CTO", "CIO", "Head of Ops", "Procurement", "Cloud Architect", "Developer",
	"Software Engineer", "VP, Engineering", "Owner", "Consultant", "IT Manager", "Data Scientist",
	"Solutions Architect", "Director of \"Digital\" Transformation", "CEO", "Sysadmin", "",
}

// offer is one of the publisher's marketplace offers. portal marks offers
// that exist in the Azure portal, the only place a Create lead comes from.
type offer struct {
	id, title string
	weight    int
	portal    bool
}

// A publisher sees only its own offers, so one publisher (with a regional
// second publisher id) is realistic. The ids exercise "-" and "." and a
// Dynamics-style GUID; the titles exercise commas, quotes and an en dash.
var offers = []offer{
	{"contoso.inventory-pro", "Contoso Inventory Pro", 30, false},
	{"contoso.inventory-pro-byol", "Contoso Inventory Pro (BYOL)", 12, true},
	{"contoso.inventory-pro.saas-v2", "Contoso Inventory Pro SaaS v2", 12, true},
	{"contoso.contoso-sentinel-connector", "Contoso Sentinel Connector, Enterprise Edition", 10, true},
	{"contoso.3701c77e-1cfa-4c56-91e6-3ed0b622145a", `Contoso "Field Service" for Dynamics 365`, 10, false},
	{"contoso-emea.inventory-pro-eu", "Contoso Inventory Pro – EU Data Boundary", 6, true},
}

// testOfferTitle is what a publisher's validation test lead carries.
const testOfferTitle = "Contoso Test"

// notes are things customers type into the Contact me box.
var notes = []string{
	"Please contact me about pricing for 200 seats",
	"Want a demo next week",
	"Can you send a quote? We need it before Friday, thanks.",
	`Interested in the "Enterprise" plan for 50 users`,
	"Do you support SSO with Entra ID?",
	"¿Tienen soporte en español? Gracias.",
	"Nous aimerions un essai de 30 jours, merci !",
	"Bitte um Rückruf, gerne vormittags.",
	"请尽快联系我，谢谢",
	"見積もりをお願いします。",
	"Нужна консультация по лицензированию",
	"أرجو التواصل معي بخصوص الأسعار",
	"कृपया मुझसे संपर्क करें",
	"  called twice, no answer; please email instead",
	"Test run through Power Automate",
	"Pricing?",
}

// campaignJSON are Description values carrying campaign parameters, built
// once so that the hot loop does not format them.
var campaignJSON = func() []string {
	var out []string
	for _, c := range []string{"1234", "fall-webinar", "spring-promo", "linkedin-q3", "5678"} {
		for _, p := range []string{"98765", "10423", "55871"} {
			out = append(out, `{"mktcmpid":"`+c+`","partnerid":"`+p+`"}`)
		}
		out = append(out, `{"mktcmpid":"`+c+`"}`)
	}
	return out
}()

// messageJSON are spread-shape Description values: a web form's tracking
// fields and the customer's message as one JSON object. The notes bring
// quotes and non-ASCII text, so the JSON needs real escaping.
var messageJSON = func() []string {
	var out []string
	for i, src := range []string{"linkedin", "google", "newsletter", "partner-portal", "bing"} {
		for j, note := range notes {
			b := []byte(`{"utm_source":`)
			b = appendJSONString(b, src)
			if (i+j)%3 == 0 {
				b = append(b, `,"utm_campaign":"fall-webinar"`...)
			}
			b = append(b, `,"message":`...)
			b = appendJSONString(b, note)
			out = append(out, string(append(b, '}')))
		}
	}
	return out
}()

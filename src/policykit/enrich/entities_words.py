"""Word lists of the entity recogniser: ordinary words, titles, organisation heads..."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Ordinary words that are capitalised only because they begin a sentence or a line.
COMMON_WORDS = _words(
    """
    a about above according across after afterwards again against all also although
    among an and another any anyone apart are around as at back be because been before
    being below besides between beyond both but by can cannot could despite did do does
    doing down during each earlier either else even ever every following for former from
    further had has have having he her here hers herself him himself his how however if
    in including inside instead into is it its itself just last later latest least less
    let like many may meanwhile might more moreover most much must my near neither never
    nevertheless new next no nonetheless nor not nothing now of off often on once one
    only or other others otherwise our out over overall per perhaps please previously
    rather recently regardless said same several she should similarly since so some
    still such than that the their them themselves then there therefore these they this
    those though through thus to today together tomorrow too toward towards under unless
    unlike until up upon us was we were what whatever when whenever where whereas
    whether which while who whom whose why will with within without would yesterday yet
    you your meanwhile speaking asked according additionally currently notably
    separately earlier importantly interestingly initially finally first second third
    here's it's what's that's there's read click scroll watch see also update updated
    related
    officials authorities people witnesses children prosecutors analysts residents
    experts investigators critics rebels militants protesters demonstrators troops
    soldiers lawmakers legislators scientists doctors villagers survivors supporters
    opponents voters workers students citizens refugees observers diplomats
    """
)

#: Currency words written capitalised before an amount ("up to Rs 250 crore"): the
#: place cue "to X" made "Rs" a place in a fifth of the demo's data-breach articles.
CURRENCY_WORDS = _words("rs rs. rupee rupees crore crores lakh lakhs")

#: Words that page furniture puts in capitals: never part of a name.
BOILERPLATE_WORDS = _words(
    """
    advertisement advertisements scroll continue reading written by subscribe newsletter
    sign login log click share tweet email print comments comment sponsored read more
    also related photo image credit source file representational copyright follow us
    updated published posted edited disclaimer menu home search developed powered
    designed
    """
)

MONTHS_DAYS = _words(
    """
    january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday
    thursday friday saturday sunday
    """
)

#: Titles and honorifics: what follows them is a person's name.
TITLES = _words(
    """
    senator sen representative rep congressman congresswoman minister president premier
    chancellor governor gov mayor secretary commissioner chairman chairwoman chairperson
    chair justice judge director ceo cto coo cfo cpo founder co-founder cofounder
    spokesperson spokesman spokeswoman professor prof dr mr mrs ms mx sir dame lord lady
    mp mla mep attorney advocate superintendent inspector commander ambassador king
    queen prince princess pope activist researcher analyst executive officer head lawyer
    editor reporter economist historian author petitioner councillor councilor general
    captain colonel lieutenant sergeant admiral brigadier marshal cardinal bishop
    archbishop rabbi imam cleric sheikh ayatollah detective prosecutor envoy
    spokesperson chancellor vice
    """
)

#: A span ending in (or, for "Ministry of X", starting with) one of these is an organisation.
ORG_HEADS = _words(
    """
    church collective league club sena dal morcha samiti sangh aayog parishad kings riders
    challengers titans royals capitals indians giants ministry department commission
    court agency authority council board bureau tribunal committee parliament assembly
    police foundation institute university college school association federation party
    bank fund trust society centre center organisation organization office service forum
    network alliance coalition watch group inc ltd llc llp pvt corp corporation co
    company technologies technology tech labs lab systems solutions networks media
    holdings industries plc gmbh ag sa nv limited ventures capital partners software
    communications telecom airlines motors news times post journal herald express
    tribune gazette magazine press radio television tv studios games bureau union guild
    cell army navy force forces survey movement exchange brotherhood administration
    academy program programme mission corps legion front
    """
)

#: Corporate suffixes: a strong organisation cue even on a single mention.
CORPORATE_SUFFIXES = _words(
    """
    inc ltd llc llp pvt corp corporation co plc gmbh ag sa nv limited technologies
    """
)

#: A span ending in one of these names a law or a document, not an entity.
DOCUMENT_HEADS = _words(
    """
    act bill amendment amendments rules rule regulation regulations directive code
    policy guidelines order report constitution article section ordinance notification
    framework strategy draft
    """
)

#: All-capital words that are not organisations on their own.
NOT_ACRONYMS = _words(
    """
    AI US UK EU IT TV PM AM CEO CTO COO CFO OK FAQ PDF URL HTTP HTML API APP APPS ID GB
    MB KB SMS OTP VPN IP ML AR VR FIR RTI GDPR DPDP PIL SIM UPI CCTV FRT LED USB NEW THE
    AND FOR GDP GST IPO EV EVS KYC NPA EMI MSP FDI CSR ESG AQI IPL ODI CCTV SOP FAQS AI-
    OTT VPNS DNA SEO SAAS B2B PPP MOU NOC RTI IST UTC GMT ET PT EST
    AIDS HIV SARS MERS COVID COVID-19 H1N1 H5N1 TB HPV WMD GMO LPG CNG ATM SUV MRI ICU
    PPE IED RPG HQ VIP TRUE FALSE
    """
)

#: Common given names (English-language news, South Asian, Arabic, European, East
#: Asian romanisations): a capitalised run that starts with one is a person.
GIVEN_NAMES = _words(
    """
    james john robert michael william david richard joseph thomas charles christopher
    daniel matthew anthony mark donald steven paul andrew joshua kenneth kevin brian
    george timothy ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan
    stephen larry justin scott brandon benjamin samuel gregory alexander frank patrick
    raymond jack dennis jerry tyler aaron jose adam nathan henry douglas zachary peter
    kyle noah ethan jeremy walter christian keith roger terry austin sean gerald carl
    harold dylan arthur lawrence jordan jesse bryan billy bruce gabriel joe logan alan
    juan albert willie elijah wayne randy vincent mason roy ralph bobby russell bradley
    philip eugene louis harry bill barack hillary tony tom jim bob mike steve dan ben
    nick chris rick ted newt mitt rudy al dick mary patricia jennifer linda elizabeth
    barbara susan jessica sarah karen lisa nancy betty sandra margaret ashley kimberly
    emily donna michelle carol amanda melissa deborah stephanie dorothy rebecca sharon
    laura cynthia amy kathleen angela shirley brenda emma anna pamela nicole samantha
    katherine christine helen debra rachel carolyn janet maria catherine heather diane
    olivia julie joyce victoria ruth virginia lauren kelly christina joan evelyn judith
    andrea hannah megan cheryl jacqueline martha madison teresa gloria sara janice ann
    kathryn abigail sophia frances jean alice judy isabella julia grace amber denise
    danielle marilyn beverly charlotte natalie theresa diana brittany doris kayla alexis
    lori marie condoleezza angela theresa nancy kate jane sue ellen hilary mohammed
    muhammad mohammad ahmed ahmad ali hassan hussein omar abdul abdullah mahmoud khalid
    ibrahim yusuf mustafa hamid karim tariq nouri jalal recep bashar hosni moammar
    muammar ismail osama ayman salman faisal nawaz pervez asif imran benazir shahbaz
    rahul narendra sonia manmohan amit arvind mamata nitish lalu akhilesh mayawati
    priyanka raj rajesh suresh ramesh sunil anil vijay ravi sanjay ajay vikram arun
    ashok kiran priya anita sunita pooja neha deepak rohit virat sachin mahendra sourav
    pranab atal lal vladimir dmitry sergei sergey mikhail boris viktor yulia alexei igor
    nikolai ivan angela gerhard helmut wolfgang jacques nicolas francois emmanuel silvio
    romano matteo giuseppe jose luis carlos juan pedro manuel hugo evo luiz lula felipe
    mariano dilma jean pierre andre hans klaus jurgen stefan tony gordon theresa
    margaret tony kofi ban xi hu jiang wen li wang zhang liu chen yang zhao huang zhou
    wu shinzo junichiro yasuo taro yukio naoto kim roh lee park moon yoon thaksin
    yingluck aung hamid ashraf mahmoud ehud benjamin ariel shimon yitzhak ehud tzipi
    avigdor yasser ismail nelson thabo jacob robert joseph paul uhuru raila olusegun
    goodluck muhammadu yoweri meles derek warren elon jeff sundar satya tim sheryl marc
    larry sergey jack
    """
)

#: Nationality words and languages: capitalised, but not names of entities.
DEMONYMS = _words(
    """
    american americans british briton britons english french german germans italian
    italians spanish spaniard portuguese dutch belgian swiss austrian swedish swede
    swedes norwegian danish finnish finn irish scottish scot scots welsh greek greeks
    turkish turk turks russian russians ukrainian ukrainians polish pole poles czech
    slovak hungarian romanian bulgarian serbian serb serbs croatian croat croats bosnian
    albanian kosovar european europeans african africans asian asians arab arabs arabic
    israeli israelis palestinian palestinians iraqi iraqis iranian iranians syrian
    syrians lebanese jordanian egyptian egyptians libyan saudi saudis yemeni kuwaiti
    emirati qatari omani afghan afghans pakistani pakistanis indian indians bangladeshi
    bangladeshis nepali nepalese sri lankan tamil sinhalese chinese japanese korean
    koreans vietnamese thai cambodian burmese indonesian indonesians malaysian filipino
    filipinos australian australians canadian canadians mexican mexicans brazilian
    brazilians argentine argentinian colombian venezuelan cuban cubans chilean peruvian
    bolivian ecuadorian haitian jamaican nigerian nigerians kenyan kenyans ethiopian
    somali somalis sudanese ugandan rwandan congolese zimbabwean south ghanaian ivorian
    senegalese malian algerian moroccan tunisian kurd kurds kurdish shiite shi'ite
    shiites sunni sunnis muslim muslims christian christians catholic catholics jewish
    jew jews hindu hindus sikh sikhs buddhist buddhists islamic western westerners
    eastern northern southern latino latina hispanic texan texans californian new yorker
    londoner parisian hindi urdu bengali punjabi marathi gujarati telugu kannada
    malayalam mandarin cantonese persian farsi pashto dari hebrew latin
    """
)

#: A span ending in one of these is an event, not a person or an organisation.
EVENT_HEADS = _words(
    """
    cup championship championships olympics olympiad open tournament war wars festival
    summit expo marathon prix awards award election elections referendum games trophy
    series derby classic crisis revolution uprising massacre storm hurricane typhoon
    cyclone earthquake tsunami spring conference
    """
)

#: Words after a name that make it a person or an organisation that speaks.
SPEECH_VERBS = _words(
    """
    said says told added announced explained wrote argued stated warned noted insisted
    denied confirmed claimed urged asked replied admitted acknowledged
    """
)

#: A span ending in one of these is a place (stations, buildings, features, districts).
PLACE_HEADS = _words(
    """
    station hall base road street avenue lane hotel mosque airport square bridge
    park stadium arena memorial island islands river valley province region district
    county bay city strait lake mountain mountains desert peninsula coast heights strip
    museum palace cathedral temple facility village town state territory prefecture
    oblast canal gulf sea ocean
    """
)

#: Direction words: "North Waziristan", "Southern Sudan" are places.
DIRECTIONS = _words(
    """
    north south east west northern southern eastern western central northeast northwest
    southeast southwest upper lower greater
    """
)

#: A run starting with one of these is an event ("Hurricane Katrina").
EVENT_FIRST = frozenset(["hurricane", "typhoon", "cyclone", "storm", "tropical", "operation"])

#: Endings of place names ("Waziristan", "Islamabad", "Jaipur", "Stalingrad").
PLACE_ENDINGS = ("stan", "abad", "pur", "grad", "burg", "ville", "shire", "ganj", "nagar")

# More given names, by region (Hong Kong and China, Arabic, South Asian, African,
# European, Latin American), added after GUM's election and GMB's VOA names were missed.
GIVEN_NAMES |= _words(
    """
    eddie gary tanya regina claudia priscilla eunice wilson nathan raymond frederick alvin
    ricky jimmy danny tommy johnny sammy freddie harvey howard herbert stanley leonard leon
    leo lewis luke marcus martin mitchell neil nigel oliver oscar owen perry phil quentin
    randall reginald rex rhys ross rupert seth simon spencer stuart theodore toby travis
    trevor troy vernon victor wade wesley winston xavier abraham adrian alfred allen andy
    angus archie barry bernard bert brad brendan brett calvin cameron chester clarence clark
    clifford clint clyde colin conor craig curtis dale darren dave dean derrick desmond
    dominic don duncan dwight earl eli elliot emil ernest felix fergus floyd francis fred
    geoffrey gerard gilbert glen glenn graham grant greg guy hank harrison hector herman
    homer horace hugh ian isaac jake jared jay jed jeremiah jerome joel jonah julian karl
    kurt lance lloyd lorenzo lucas malcolm marvin max melvin miles milton morgan morris
    ned neville norman percy pete reuben richie robin rod rodney roland ron ronnie rory
    ruben rufus sam sebastian sid sonny stan sterling terence terrence theo tobias todd
    tristan vince walt wendell will abby ada adele agnes aileen alexandra alicia alison
    allison alyssa amelia angelina annie beatrice belinda bella bernadette beth bonnie
    bridget caitlin camilla carla carmen caroline cassandra cecilia celia chelsea chloe
    claire clara colleen connie constance cora courtney crystal daisy daphne dawn delia
    dolores dora edith edna eileen elaine eleanor elena eliza ella eloise elsie emilia erica
    erin esther ethel eva faith felicity fiona flora freya gabrielle gail gemma genevieve
    geraldine gillian gina gladys gwen harriet hazel heidi helena henrietta holly ida
    imogen ingrid irene iris isabel ivy jackie jade jasmine jenny jill joanna jocelyn
    josephine joy juliet june karina katie kathy kristin kristen leah lena leslie lillian
    lily lois lorraine louise lucia lucy lydia mabel madeline maggie mandy marcia margo
    marian marianne marjorie marsha maureen mavis maxine meg melanie melinda mia millie
    miranda molly monica muriel myra nadia naomi natasha nell nina nora norma olga olive
    paige pauline pearl peggy penelope penny phoebe phyllis polly rachael rita roberta
    rosa rosalind rosemary roxanne ruby sally selina serena sheila shelley sherry sienna
    sophie stella susanna suzanne sylvia tabitha tara thelma tina tracy ursula valerie
    vanessa vera veronica viola violet vivian wanda wendy yvonne zoe sinead siobhan aoife
    niamh abdel abdelaziz adel ahmet akbar alaa amin amir anwar aziz bilal fahad farid
    farouk fatima fawzi gamal habib hadi hafez haider hamza hani hasan hisham hussain imad
    jamal jamil kamal khaled khalil laila layla mahmud majid malik mansour marwan mohamed
    mohsen moqtada mousa nabil naguib najib nasser nizar osman qasim rafiq rami rashid riad
    saad saeed salah salim sami samir sayed shadi sharif talal tarek tawfiq walid waleed
    yahya yasin yousef youssef zaid zainab zayed hamdullah aarav abhishek aditya akash alok
    aman amitabh anand ananya aniket anjali ankit anupam arjun asha ashish atul avinash
    bhavna chetan deepa dev devendra dinesh divya gaurav geeta girish gopal harish hemant
    indira jaya jitendra kamala kapil karan kavita kishore krishna lakshmi lalit madhu
    mahesh manish manoj meena mohan mukesh naveen neeraj nikhil nirmala nitin pankaj
    pradeep prakash pramod prashant praveen preeti rajeev rajiv rakesh ram ranjan rekha
    rohan sandeep sanjeev santosh sarita satish seema shankar shashi shilpa shiv shivraj
    shweta smriti subhash sudhir sumit suraj sushma swati tarun uday uma usha varun vikas
    vinay vinod vivek yashwant yogesh piyush jyotiraditya hardeep mansukh bhupender
    hiroshi takeshi kenji yoshihide fumio shigeru akira haruki yuki kwame abebe amara
    chinua femi ngozi thabo jomo nnamdi adebayo cyril jacinta rishi keir liz suella priti
    sajid nadine kemi yvette giorgia mario sergio paolo enrico alberto antonio giovanni
    luca marco massimo pietro franco fernando javier jorge miguel pablo rafael ricardo
    santiago alejandro andres diego eduardo emilio enrique ernesto gustavo ignacio joaquin
    julio raul rodrigo salvador vicente marta sofia valentina gabriela daniela joao rui
    tiago francisco lars magnus nils olaf sven ulrich uwe werner annegret annalena markus
    jens dirk michel philippe alain claude didier dominique gilles laurent marcel olivier
    pascal patrice rene thierry yves marine segolene lech andrzej jaroslaw mateusz vaclav
    milos petr pavel tomas mehmet emine binali kemal tayyip
    """
)

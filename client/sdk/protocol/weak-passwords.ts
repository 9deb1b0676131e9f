/**
 * Passwords too common to protect anything: the head of every leaked-password list (keyboard walks,
 * digit runs, "password" and its variants, names, teams, seasons with years). A registration with one
 * of them, compared ignoring case, or with a single repeated character (`aaaaaaaa`, eight spaces) is
 * refused with `weak_password`. Only entries of at least MIN_PASSWORD_CHARS matter: shorter ones are
 * refused by length already. Small on purpose (a few KB in every client bundle): it stops the
 * passwords guessed first, it does not replace a slow hash and login limits.
 */
import { MIN_PASSWORD_CHARS } from "./limits.ts";

const COMMON = `
00000000 000000000 0000000000 0123456789 0987654321 10203040 11111111 111111111 1111111111 11223344
112233445566 12121212 12131415 123123123 123123123123 123321123 12341234 12344321 12345678
123456789 1234567890 12345678910 1234567899 123456789a 123456789q 123456abc 123456qwe 12345qwert
1234abcd 1234qwer 123654789 123abc123 123qweasd 12qwaszx 13579246 147258369 147852369 159753456
1a2b3c4d 1password 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y 1qaz2wsx 1qaz2wsx3edc 1qazxsw2 1welcome
22222222 24682468 33333333 44444444 55555555 66666666 741852963 77777777 789456123 87654321
88888888 963852741 987654321 9876543210 99999999 a1234567 a12345678 a1b2c3d4 aa123456 abc12345
abc123456 abcabc123 abcd1234 abcdef123 abcdefg1 abcdefgh access14 accessdenied admin123 admin1234
adminadmin administrator alexander amanda123 andrew123 angel123 anthony1 apple123 arsenal1 asdf1234
asdfasdf asdfasdfasdf asdfghjk asdfghjkl asdfqwer ashley123 autumn2024 babygirl babygirl1 banana123
barcelona baseball baseball1 baseball123 basketball batman123 beautiful benjamin berlin123
bismillah blessed1 blink182 buster123 butterfly butterfly1 changeme changeme1 changeme123 charlie1
charlie123 cheese123 chelsea1 chocolate chocolate1 christopher coffee123 computer computer1
cookie123 corvette cowboys1 crystal1 daniel123 december1 default1 diamond1 dragon12 dragon123
dragonfly eagles123 elizabeth family123 ferrari1 fishing1 flower123 football football1 football123
forever1 fortnite1 freedom1 freedom123 friends1 gamer123 ginger123 godisgood golden123 golfer12
goodluck guest123 hannah123 harley123 hello123 hello1234 hellohello helloworld hockey123 hunter123
hunter22 hunting1 iloveme1 iloveu123 iloveyou iloveyou1 iloveyou123 iloveyou2 internet internet1
january1 jennifer jessica1 jessica123 jesus123 jesuschrist jonathan jordan123 jordan23 joshua123
juventus killer123 lakers24 letmein! letmein1 letmein123 letmein2 letmein22 letmeinnow liverpool
liverpool1 london123 lovelove lovely123 loveme123 loveyou1 maggie123 manchester master12 master123
mastermind matrix123 matthew1 mercedes michael1 michael123 michelle minecraft minecraft1 monkey12
monkey123 mustang1 mustang123 mypassword mysecret newpassword newyork1 nicholas nicole123 nintendo
orange123 p@ssw0rd p@ssword pa$$word pa55word packers1 paris123 pass1234 pass12345 passpass
passw0rd passw0rd1 password password! password01 password1 password11 password12 password123
password1234 password2 password2020 password2021 password2022 password2023 password2024
password2025 password2026 password3 password7 password9 password99 patriots peanut123 pepper123
pizza123 playstation pokemon1 pokemon123 princess princess1 princess123 purple123 q1w2e3r4
q1w2e3r4t5 qazwsx123 qazwsxedc qweasd123 qweasdzxc qwer1234 qwerasdf qwerasdfzxcv qwerty007
qwerty01 qwerty11 qwerty12 qwerty123 qwerty1234 qwerty123456 qwerty99 qwertyqwerty qwertyu1
qwertyui qwertyuiop rainbow1 ranger123 realmadrid redskins robert123 root1234 rootroot samantha
samantha1 samsung1 sandiego secret12 secret123 secretpassword security security1 shadow12 shadow123
silver123 snoopy123 soccer123 spring2024 starwars starwars1 starwars123 steelers summer123
summer2020 summer2021 summer2022 summer2023 summer2024 summer2025 sunshine sunshine1 sunshine123
superman superman1 superman123 sweetheart tennis123 test1234 test12345 testing1 testing123 testtest
thepassword thomas123 thunder1 tigger123 together toortoor trustno1 trustno123 trustnoone user1234
useruser victoria welcome1 welcome12 welcome123 welcome2024 welcome2025 welcomeback whatever
whatever1 whatever123 whatsup1 william1 winter2023 winter2024 yankees1 yellow123 yourpassword
zaq12wsx zaq1xsw2 zaq1zaq1 zxcvasdf zxcvbnm1 zxcvbnm123 zxcvbnma zxcvbnmm
`;

const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  COMMON.split(/\s+/).filter((p) => p.length >= MIN_PASSWORD_CHARS),
);

/** How many entries the deny list has (for tests and docs). */
export const COMMON_PASSWORD_COUNT = COMMON_PASSWORDS.size;

/** True for a password made of one character repeated (`aaaaaaaa`, eight spaces). */
export function isRepeatedCharacter(password: string): boolean {
  const chars = [...password];
  return chars.length > 0 && chars.every((ch) => ch === chars[0]);
}

/** True when `password`, ignoring case, is on the deny list. */
export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}

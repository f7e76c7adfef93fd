// Stop-word lists used by the tokenizer, the language guess and the embedder.
//
// English: the Snowball English list (the one Lucene/Elasticsearch ship as `_english_` in its long form),
// plus contractions written with a typographic apostrophe folded to ASCII by the tokenizer.
// Indonesian: a compact list of function words (pronouns, prepositions, conjunctions, particles, auxiliaries),
// built from the Tala stop-word list's most frequent entries. Content words ("harga", "produk") are never here.

export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all am an and any are aren't as at be because been before being below between
  both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from
  further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his
  how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor
  not of off on once only or other ought our ours ourselves out over own same shan't she she'd she'll she's should
  shouldn't so some such than that that's the their theirs them themselves then there there's these they they'd
  they'll they're they've this those through to too under until up very was wasn't we we'd we'll we're we've were
  weren't what what's when when's where where's which while who who's whom why why's with won't would wouldn't you
  you'd you'll you're you've your yours yourself yourselves also may might must shall will upon whether within
  without would yet via per etc`
    .split(/\s+/)
    .filter(Boolean),
);

export const INDONESIAN_STOP_WORDS: ReadonlySet<string> = new Set(
  `ada adalah adanya agak agar akan akankah akhirnya aku akulah amat anda andalah antar antara antaranya apa apaan
  apabila apakah apalagi apatah atau ataukah ataupun bagai bagaikan bagaimana bagaimanakah bagi bagian bahkan bahwa
  bahwasanya baik banyak barangkali begini beginian begitu begitupun belum belumlah berapa berapakah bermacam
  bersama betulkah biasa biasanya bila bilakah bisa bisakah boleh bolehkah buat bukan bukankah bukanlah bukannya
  cuma dahulu dalam dan dapat dari daripada dekat demi demikian dengan depan di dia dialah diantara diri dirinya
  disini disinilah dong dulu enggak entah hal hampir hanya hanyalah harus haruslah hingga ia ialah ibarat ini inikah
  inilah itu itukah itulah jadi jangan janganlah jika jikalau juga justru kalau kalaulah kalaupun kalian kami kamilah
  kamu kamulah kan kapan kapankah karena karenanya ke kecuali kemudian kenapa kepada kepadanya ketika khususnya kini
  kinilah kita kitalah lagi lagian lah lain lainnya lalu lebih macam maka makanya makin malah malahan mampu mana
  manakala manalagi masih masing masingmasing mau maupun melainkan melalui memang mengapa mereka merekalah meski
  meskipun mungkin mungkinkah nah namun nanti nantinya nya oleh olehnya pada padahal padanya para pasti pastilah per
  percuma pernah pula pun punya rupanya saat saatnya saja sajalah saling sama sambil sampai sana sangat sangatlah
  saya sayalah se sebab sebagai sebagaimana sebagainya sebaliknya sebelum sebelumnya sebenarnya secara sedang
  sedangkan sedikit segala segera sehingga sejak sekadar sekali sekalipun sekarang selagi selain selalu selama
  seluruh seluruhnya semakin semua semuanya sendiri sendirinya seolah seorang sepanjang seperti sepertinya
  sering seringnya serta sesuatu sesudah setelah setiap siapa siapakah siapapun sini situ suatu sudah sudahlah
  supaya tadi tadinya tak tanpa tapi telah tentang tentu tentulah tentunya terhadap terlalu termasuk tersebut
  tetapi tiap tidak tidakkah tidaklah toh untuk waduh wah wahai walau walaupun ya yaitu yakni yang`
    .split(/\s+/)
    .filter(Boolean),
);

/** Words that mark a language for the document-level guess: stop words of one list that are not in the other. */
export const ENGLISH_MARKERS: ReadonlySet<string> = new Set(
  [...ENGLISH_STOP_WORDS].filter((w) => !INDONESIAN_STOP_WORDS.has(w)),
);
export const INDONESIAN_MARKERS: ReadonlySet<string> = new Set(
  [...INDONESIAN_STOP_WORDS].filter((w) => !ENGLISH_STOP_WORDS.has(w)),
);

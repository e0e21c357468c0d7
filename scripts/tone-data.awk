# tone-data.awk - labelled emotion data to JSON Lines with one of maat's
# five tone labels, for scripts/train-models.sh ('make models').
# -v set=goemotions: TSV text, comma-separated GoEmotions label ids, id
#   (ids index emotions.txt: admiration, amusement, anger, annoyance, ...).
# -v set=xed: TSV text, comma-separated XED label ids (1 anger ... 8 trust).
# A multi-label row takes its strongest tone: distressed > angry >
# frustrated > positive > neutral.
BEGIN {
  FS = "\t"
  rank["neutral"] = 0; rank["positive"] = 1; rank["frustrated"] = 2
  rank["angry"] = 3; rank["distressed"] = 4
  if (set == "goemotions") {
    n = split("positive positive angry frustrated positive positive neutral " \
              "neutral neutral frustrated frustrated angry neutral positive " \
              "distressed positive distressed positive positive distressed " \
              "positive positive neutral positive neutral distressed neutral " \
              "neutral", t, " ")
    for (i = 1; i <= n; i++) tone[i - 1] = t[i]
  } else if (set == "xed") {
    n = split("angry neutral angry distressed positive distressed neutral " \
              "positive", t, " ")
    for (i = 1; i <= n; i++) tone[i] = t[i]
  } else { print "conv.awk: set must be goemotions or xed" > "/dev/stderr"; exit 2 }
}
function esc(s) { gsub(/\\/, "&&", s); gsub(/"/, "\\\"", s); gsub(/[\001-\037]/, " ", s); return s }
{
  n = split($2, ids, /, */); best = -1
  for (i = 1; i <= n; i++) {
    if (!((ids[i] + 0) in tone)) continue
    tn = tone[ids[i] + 0]
    if (rank[tn] > best) { best = rank[tn]; lab = tn }
  }
  if (best < 0) next
  printf "{\"text\": \"%s\", \"label\": \"%s\"}\n", esc($1), lab
}

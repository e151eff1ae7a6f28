#!/usr/bin/env bash
# Real English sentences for distilling text encoders ([FineTune]/[Distill], issue 19): Debian's
# fortune cookies (fortunes-min, or the larger `fortunes` when it is installed), split into
# sentences of 5-40 words, de-duplicated, in a fixed order, one per line.
#   build/make-sentences.sh OUT.txt [COUNT]
# Tokenize them with Microsoft.ML.Tokenizers' BertTokenizer (as tests/Optimizer.EndToEnd.Tests/RealData
# does) and save the three int64 arrays as an .npz for [FineTune(Data = ...)].
set -euo pipefail
out=${1:?usage: make-sentences.sh OUT.txt [COUNT]}
count=${2:-4000}
dir=/usr/share/games/fortunes
if [ ! -f "$dir/fortunes" ]; then
  apt-get install -y -qq fortunes-min >/dev/null
fi
# Text files only (not the .dat indexes or the .u8 links), sorted so the order never depends on the directory.
files=$(find -L "$dir" -maxdepth 1 -type f ! -name '*.dat' ! -name '*.u8' | LC_ALL=C sort)
# Records are separated by '%' lines; attributions ('-- Author') and tab-indented verse are dropped.
# shellcheck disable=SC2086
cat $files | LC_ALL=C awk '
  /^%$/ { if (text != "") print text; text = ""; next }
  /^[ \t]*--/ { next }
  { gsub(/[\t ]+/, " "); text = text " " $0 }
  END { if (text != "") print text }' \
  | LC_ALL=C sed -E 's/([.!?]) +([A-Z"])/\1\n\2/g' \
  | LC_ALL=C sed -E 's/^ +//; s/ +$//' \
  | LC_ALL=C grep -E '^[A-Z"][ -~]*[.!?"]$' \
  | LC_ALL=C awk -v count="$count" 'NF >= 5 && NF <= 40 && !seen[$0]++ && kept++ < count' > "$out"
echo "$(wc -l < "$out") sentences -> $out"

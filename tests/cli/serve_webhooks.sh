#!/bin/sh
# Helpdesk webhooks: Chatwoot and Zammad payloads become triaged contacts,
# let in by a token or by the helpdesk's HMAC signature; a forged or stale
# signature is refused; a delivery repeated is not a second contact; what
# became of a contact the bot took survives a restart.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for tool in curl openssl; do
  command -v $tool >/dev/null || { echo "[SKIP] $tool is not installed"; exit 77; }
done
. "$(dirname "$0")/serve_lib.sh"

"$MAAT_BIN" gen --team 6 -o "$tmp/team.json"
db=$tmp/w.db
LEAD=$("$MAAT_BIN" token add --db "$db" --role lead 2>/dev/null)
INT=$("$MAAT_BIN" token add --db "$db" --role integration 2>/dev/null)
secret=s3cr3t-for-tests
printf '{"thresholds": {"bot_confidence": 0.3}}' >"$tmp/lenient.json"
MAAT_WEBHOOK_SECRET=$secret start_server "$db" "$tmp/team.json"
check "the server starts" '[ -n "$port" ]'

cw() { # BODY TIMESTAMP [SECRET]: posts a Chatwoot delivery, prints the status
  sig=$(printf '%s.%s' "$2" "$1" | openssl dgst -sha256 -hmac "${3:-$secret}" -r | cut -d' ' -f1)
  curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "X-Chatwoot-Timestamp: $2" -H "X-Chatwoot-Signature: sha256=$sig" \
    --data-binary "$1" "$base/v1/webhooks/chatwoot"
}
now=$(date +%s)
msg='{"event":"message_created","id":501,"content":"Dit is belachelijk, ik heb al drie keer gebeld!","message_type":"incoming","private":false,"sender":{"id":77,"name":"Klant","type":"contact"},"inbox":{"id":2,"name":"Website chat"},"conversation":{"id":42,"status":"open"},"account":{"id":1}}'
got=$(cw "$msg" "$now")
check "a signed Chatwoot message becomes a contact (201)" '[ "$got" = 201 ]'
check "... triaged: angry, not for the bot" \
  'grep -q "\"id\":\"cw-42-501\"" "$tmp/body" && grep -q "\"tone\":\"angry\"" "$tmp/body" && ! grep -q "\"tier\":\"T1\"" "$tmp/body"'
got=$(cw "$msg" "$now")
check "the same delivery again is not a second contact (200)" '[ "$got" = 200 ]'
got=$(cw "$msg" "$now" wrong-secret)
check "a wrong signature is refused (401)" '[ "$got" = 401 ]'
got=$(cw "$msg" $((now - 3600)))
check "a stale timestamp is refused (401)" '[ "$got" = 401 ]'
out='{"event":"message_created","id":502,"content":"Wij kijken ernaar","message_type":"outgoing","private":false,"conversation":{"id":42}}'
got=$(cw "$out" "$now")
check "an agent's outgoing message is ignored (200, no contact)" \
  '[ "$got" = 200 ] && grep -q "ignored" "$tmp/body"'
got=$(cw '{"event":"conversation_status_changed","id":9}' "$now")
check "other events are ignored" '[ "$got" = 200 ] && grep -q "ignored" "$tmp/body"'
got=$(cw '{"event":"message_created","message_type":"incoming","id":"x"}' "$now")
check "a malformed message is a 400 naming what is missing" \
  '[ "$got" = 400 ] && grep -q "conversation.id" "$tmp/body"'

zm='{"ticket":{"id":314,"number":"31014","title":"Factuur","customer_id":9,"priority":{"name":"2 normal"}},"article":{"id":1001,"ticket_id":314,"body":"<p>Mijn factuur klopt &amp; weer niet. Hoe vaak moet ik nog bellen?</p>","content_type":"text/html","sender":"Customer","type":"email","internal":false}}'
sig=$(printf '%s' "$zm" | openssl dgst -sha1 -hmac "$secret" -r | cut -d' ' -f1)
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "X-Hub-Signature: sha1=$sig" \
  --data-binary "$zm" "$base/v1/webhooks/zammad")
check "a signed Zammad article becomes a contact (201)" '[ "$got" = 201 ]'
check "... from its HTML body, frustrated, a repeat" \
  'grep -q "\"id\":\"zm-314-1001\"" "$tmp/body" && grep -q "\"tone\":\"frustrated\"" "$tmp/body" && grep -q "\"repeat\":true" "$tmp/body"'
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "X-Hub-Signature: sha1=0000" \
  --data-binary "$zm" "$base/v1/webhooks/zammad")
check "a forged Zammad signature is refused" '[ "$got" = 401 ]'
zm2=$(printf '%s' "$zm" | sed 's/"id":1001/"id":1002/; s/"Customer"/"Agent"/')
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $INT" \
  --data-binary "$zm2" "$base/v1/webhooks/zammad")
check "an agent's article is ignored; a token lets the webhook in" \
  '[ "$got" = 200 ] && grep -q "ignored" "$tmp/body"'
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $LEAD" \
  --data-binary "$zm" "$base/v1/webhooks/zammad")
check "a lead token does not let a webhook in: 403, the role may not" '[ "$got" = 403 ]'
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $LEAD" "$base/v1/queue")
check "both contacts wait in the queue" 'grep -q "\"length\":2" "$tmp/body"'

# What became of a contact the bot took survives a restart.
"$MAAT_BIN" gen --messages 2000 --seed 3 -o "$tmp/h.jsonl" 2>/dev/null
"$MAAT_BIN" train --seed 1 --epochs 5 -q -o "$tmp/i.model" "$tmp/h.jsonl"
kill $pid; wait $pid 2>/dev/null; pid=""
# A team's skills map must name intents the model knows: a typo is named.
cat >"$tmp/skills.json" <<'T'
{"skills": {"billing": ["invoice_question", "invoce_question"]},
 "agents": [{"id": "a0001", "languages": ["nl", "en"], "skills": ["billing"]},
            {"id": "a0002", "languages": ["nl", "en"]}]}
T
"$MAAT_BIN" serve --team "$tmp/skills.json" --db "$tmp/sk.db" --port 0 \
  --intent-model "$tmp/i.model" --no-tone-model 2>"$tmp/sk.err"; rc=$?
check "a skills map with an intent the model does not know is refused, named" \
  '[ $rc -ne 0 ] && grep -q "skill .billing.: intent .invoce_question. is no label of the intent model" "$tmp/sk.err"'
start_server "$db" "$tmp/team.json" --intent-model "$tmp/i.model" \
  --triage-config "$tmp/lenient.json"
n=0; bot=""
while [ $n -lt 40 ] && [ -z "$bot" ]; do
  n=$((n + 1))
  text=$(sed -n "${n}p" "$tmp/h.jsonl" | sed 's/.*"text":"\([^"]*\)".*/\1/')
  curl -s -o "$tmp/body" -H "Authorization: Bearer $INT" \
    --data-binary "{\"id\":\"b$n\",\"text\":\"$text\"}" "$base/v1/contacts"
  grep -q '"to":"bot"' "$tmp/body" && bot=b$n
done
check "the bot takes a calm routine message" '[ -n "$bot" ]'
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $INT" \
  --data-binary '{"outcome":"handed_back"}' "$base/v1/contacts/$bot/done")
check "the integration reports the bot handed it back" '[ "$got" = 200 ]'

# A conversation the bot holds: the customer's angry next message is a new
# contact for a person, and the bot's contact closes as handed back.
cwb=$(jq -cn --arg t "$text" '{event:"message_created",id:701,content:$t,message_type:"incoming",private:false,sender:{id:88},inbox:{id:2,name:"Website chat"},conversation:{id:77}}')
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $INT" \
  --data-binary "$cwb" "$base/v1/webhooks/chatwoot")
check "a calm Chatwoot message goes to the bot" \
  '[ "$got" = 201 ] && jq -e ".decision.to == \"bot\"" "$tmp/body" >/dev/null'
cwa='{"event":"message_created","id":702,"content":"Dit is belachelijk, ik heb al drie keer gebeld en niemand helpt me!","message_type":"incoming","private":false,"sender":{"id":88},"inbox":{"id":2,"name":"Website chat"},"conversation":{"id":77}}'
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $INT" \
  --data-binary "$cwa" "$base/v1/webhooks/chatwoot")
check "... its angry next message is a new contact for a person" \
  '[ "$got" = 201 ] && jq -e ".id == \"cw-77-702\" and .thread == \"new\" and .decision.to != \"bot\"" "$tmp/body" >/dev/null'
code GET /v1/contacts/cw-77-701 "$LEAD" >/dev/null
check "... and the bot's contact closed as handed back" \
  'jq -e ".state == \"done\" and .outcome == \"handed_back\"" "$tmp/body" >/dev/null'

# The triager's memory of a customer survives a restart: the same question
# from the same customer is a repeat, from another customer it is not.
n=0; scoped=""
while [ $n -lt 40 ] && [ -z "$scoped" ]; do
  n=$((n + 1))
  text=$(sed -n "${n}p" "$tmp/h.jsonl" | sed 's/.*"text":"\([^"]*\)".*/\1/')
  curl -s -o "$tmp/body" -H "Authorization: Bearer $INT" \
    --data-binary "{\"id\":\"r$n\",\"customer\":\"cu-r$n\",\"text\":\"$text\"}" \
    "$base/v1/contacts"
  grep -q '"out_of_scope":false' "$tmp/body" && grep -q '"repeat":false' "$tmp/body" &&
    scoped=$n
done
check "a customer asks an in-scope question" '[ -n "$scoped" ]'
kill $pid; wait $pid 2>/dev/null; pid=""
start_server "$db" "$tmp/team.json" --intent-model "$tmp/i.model" \
  --triage-config "$tmp/lenient.json"
curl -s -o "$tmp/body" -H "Authorization: Bearer $INT" \
  --data-binary "{\"id\":\"again\",\"customer\":\"cu-r$scoped\",\"text\":\"$text\"}" \
  "$base/v1/contacts"
check "after a restart the same customer asking again is a repeat" \
  'grep -q "\"repeat\":true" "$tmp/body"'
curl -s -o "$tmp/body" -H "Authorization: Bearer $INT" \
  --data-binary "{\"id\":\"other\",\"customer\":\"cu-new\",\"text\":\"$text\"}" \
  "$base/v1/contacts"
check "... and another customer asking the same is not" \
  'grep -q "\"repeat\":false" "$tmp/body"'
kill $pid; wait $pid 2>/dev/null; pid=""
start_server "$db" "$tmp/team.json"
curl -s -H "Authorization: Bearer $LEAD" "$base/v1/team" >"$tmp/team.out"
check "after a restart the team view still counts the hand-back" \
  'grep -q "\"handed_back\":2" "$tmp/team.out"'
curl -s -H "Authorization: Bearer $LEAD" "$base/v1/contacts/$bot" >"$tmp/c.out"
check "... and the contact is closed with its outcome" \
  'grep -q "\"state\":\"done\"" "$tmp/c.out" && grep -q "\"outcome\":\"handed_back\"" "$tmp/c.out"'

# Resolved in the helpdesk: the conversation's or ticket's open contacts
# close in maat (Chatwoot: conversation_status_changed with status
# resolved; Zammad: the trigger on a closed ticket).
code GET /v1/contacts/cw-42-501 "$LEAD" >/dev/null
check "the Chatwoot contact is still open" '! grep -q "\"state\":\"done\"\|\"state\":\"abandoned\"" "$tmp/body"'

# A follow-up in the same conversation joins its open contact, once, even
# when Chatwoot delivers it twice.
fu='{"event":"message_created","id":503,"content":"Hallo? Ik wacht nog steeds op antwoord.","message_type":"incoming","private":false,"sender":{"id":77},"inbox":{"id":2,"name":"Website chat"},"conversation":{"id":42}}'
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $INT" \
  --data-binary "$fu" "$base/v1/webhooks/chatwoot")
check "a follow-up joins the conversation's open contact (200, thread followup)" \
  '[ "$got" = 200 ] && jq -e ".id == \"cw-42-501\" and .thread == \"followup\"" "$tmp/body" >/dev/null'
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $INT" \
  --data-binary "$fu" "$base/v1/webhooks/chatwoot")
check "... delivered again, it is seen, not applied twice" \
  '[ "$got" = 200 ] && jq -e ".thread == \"seen\"" "$tmp/body" >/dev/null'
check "... and no contact of its own" '[ "$(code GET /v1/contacts/cw-42-503 "$LEAD")" = 404 ]'
n=$(sqlite3 "$tmp/w.db" "select count(*) from events where line like '%\"followup\"%cw-42-501%'" 2>/dev/null)
check "one follow-up event in the log" '[ "$n" = 1 ]'
res='{"event":"conversation_status_changed","id":42,"status":"resolved","changed_attributes":[{"status":{"previous_value":"open","current_value":"resolved"}}]}'
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $INT" \
  --data-binary "$res" "$base/v1/webhooks/chatwoot")
check "a conversation resolved in Chatwoot closes its contact in maat" \
  '[ "$got" = 200 ] && grep -q "\"closed\":\[\"cw-42-501\"\]" "$tmp/body"'
code GET /v1/contacts/cw-42-501 "$LEAD" >/dev/null
check "... which is no longer open" 'grep -q "\"state\":\"done\"\|\"state\":\"abandoned\"" "$tmp/body"'
zc='{"ticket":{"id":314,"state":"closed","state_id":4},"article":{"id":1002,"sender":"Agent","internal":true,"body":"closed"}}'
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $INT" \
  --data-binary "$zc" "$base/v1/webhooks/zammad")
check "a ticket closed in Zammad closes its open contacts" \
  '[ "$got" = 200 ] && grep -q "\"closed\":\[" "$tmp/body" && grep -q "zm-314-" "$tmp/body"'
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $INT" \
  --data-binary "$zc" "$base/v1/webhooks/zammad")
check "... and again: nothing left to close" '[ "$got" = 200 ] && grep -q "\"closed\":\[\]" "$tmp/body"'
kill $pid; wait $pid 2>/dev/null; pid=""

# Capacity per channel: two chats at once for ana, one for bob; a call
# waits for someone free. Chatwoot's Channel::WebWidget is a chat.
cat >"$tmp/cap.json" <<'T'
{"capacity": {"chat": 2, "voice": 1},
 "agents": [{"id": "ana", "languages": ["nl", "en"], "tiers": ["T1", "T2", "T3"]},
            {"id": "bob", "languages": ["nl", "en"], "tiers": ["T1", "T2", "T3"], "capacity": {"chat": 1}}]}
T
"$MAAT_BIN" token add --db "$tmp/cap.db" --role lead >"$tmp/lead" 2>/dev/null
"$MAAT_BIN" token add --db "$tmp/cap.db" --role admin >"$tmp/adm" 2>/dev/null
"$MAAT_BIN" token add --db "$tmp/cap.db" --role integration >"$tmp/int" 2>/dev/null
CL=$(cat "$tmp/lead"); CA=$(cat "$tmp/adm"); CI=$(cat "$tmp/int")
start_server "$tmp/cap.db" "$tmp/cap.json"
for a in ana bob; do code POST /v1/agents/$a/state "$CA" '{"state":"available"}' >/dev/null; done
for k in 1 2 3 4; do
  m='{"event":"message_created","id":60'$k',"content":"Ik wil graag mijn adres wijzigen, hoe doe ik dat?","message_type":"incoming","private":false,"sender":{"id":8'$k'},"inbox":{"id":3,"name":"Site"},"conversation":{"id":7'$k',"channel":"Channel::WebWidget"}}'
  curl -s -o "$tmp/cw$k" -H "Authorization: Bearer $CI" --data-binary "$m" "$base/v1/webhooks/chatwoot" >/dev/null
done
to() { code GET /v1/contacts/$1 "$CL" >/dev/null; jq -r '.decision.to // "waiting"' "$tmp/body"; }
ana=0; bob=0; wait_n=0
for k in 1 2 3 4; do
  case $(to cw-7$k-60$k) in ana) ana=$((ana + 1));; bob) bob=$((bob + 1));; *) wait_n=$((wait_n + 1));; esac
done
check "chats at once within each one's capacity: ana 2, bob 1, one waits ($ana/$bob/$wait_n)" \
  '[ $ana = 2 ] && [ $bob = 1 ] && [ $wait_n = 1 ]'
beside=""
for k in 1 2 3 4; do
  code GET /v1/contacts/cw-7$k-60$k "$CL" >/dev/null
  grep -q "capacity chat: nobody free" "$tmp/body" && beside="$beside cw-7$k-60$k"
done
check "one decision says it took a place beside another chat ($beside)" \
  '[ $(echo $beside | wc -w) = 1 ]'
code GET "/v1/contacts/${beside# }?lang=nl" "$CL" >/dev/null
check "... in Dutch too" 'grep -q "capaciteit chat: niemand vrij" "$tmp/body"'
code GET /v1/config "$CA" >/dev/null
check "GET /v1/config shows the team's and each agent's capacity" \
  'jq -e ".team.capacity.chat == 2 and (.team.agents[] | select(.id == \"bob\") | .capacity.chat) == 1" "$tmp/body" >/dev/null'
kill $pid; wait $pid 2>/dev/null; pid=""
exit $fail

/*
 * team.c - what a lead reads: the queue, the team's aggregates (strain only
 * over the minimum group), warnings, and the Prometheus metrics. Reads
 * never wait for a commit.
 */
#include "server-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_waiting(void *ctx, const struct maat_contact_record *r,
                       double wait_s)
{
  json_t *e = json_object();

  json_object_set_new(e, "id", json_string(r->id));
  json_object_set_new(e, "tier", json_string(maat_tier_name(r->tier)));
  json_object_set_new(e, "priority", json_integer(r->priority));
  json_object_set_new(e, "tone", json_string(maat_tone_name(r->tone)));
  json_object_set_new(e, "wait_s", json_real(wait_s));
  json_array_append_new(ctx, e);
  return 0;
}

enum MHD_Result maat__get_queue(struct call *c)
{
  const char *lim = maat__arg(c, "limit");
  struct maat_queue_view v;
  json_t *o, *tiers, *prios, *list;
  size_t limit = 50;

  if (lim) {
    char *end;
    long n = strtol(lim, &end, 10);
    if (*end || !*lim || n < 0 || n > 1000)
      return maat__fail_call(c, 400, "limit: expected 0 to 1000", "limit");
    limit = (size_t)n;
  }
  list = json_array();
  maat_engine_queue(c->s->engine, maat__now_t(c->s), limit, &v, add_waiting,
                    list);
  o = json_object();
  tiers = json_object();
  prios = json_object();
  for (int k = 1; k <= 3; k++)
    json_object_set_new(tiers, maat_tier_name(k), json_integer(v.by_tier[k]));
  for (int k = 0; k <= 3; k++) {
    char key[4];
    snprintf(key, sizeof key, "%d", k);
    json_object_set_new(prios, key, json_integer(v.by_priority[k]));
  }
  json_object_set_new(o, "t", json_real(v.t));
  json_object_set_new(o, "length", json_integer(v.length));
  json_object_set_new(o, "by_tier", tiers);
  json_object_set_new(o, "by_priority", prios);
  json_object_set_new(o, "oldest_wait_s", json_real(v.oldest_wait_s));
  json_object_set_new(o, "target_s", json_real(v.target_s));
  json_object_set_new(o, "waiting", list);
  return maat__send_json(c, 200, o);
}

static json_t *strain_json(const struct maat_team_view *v)
{
  json_t *a = json_object();

  json_object_set_new(a, "mean", json_real(v->strain_mean));
  json_object_set_new(a, "p90", json_real(v->strain_p90));
  json_object_set_new(a, "over_line", json_integer(v->over_line));
  json_object_set_new(a, "overload_line", json_real(v->overload_line));
  json_object_set_new(a, "group", json_integer(v->group));
  json_object_set_new(a, "period_end", json_real(v->period_end));
  return a;
}

static json_t *recent_json(struct call *c, const struct maat_team_view *v)
{
  json_t *recent = json_array();

  for (int k = 0; k < v->nrecent; k++) {
    const struct maat_recent_decision *r = &v->recent[k];
    json_t *e = json_object();
    json_object_set_new(e, "t", json_real(r->t));
    json_object_set_new(e, "contact", json_string(r->contact));
    json_object_set_new(e, "to", json_string(r->to_bot ? "bot" : "person"));
    json_object_set_new(e, "tier", json_string(maat_tier_name(r->tier)));
    json_object_set_new(e, "intent", r->intent[0] ? json_string(r->intent)
                                                  : json_null());
    {
      /* The team's view names no agent, yet its times point to contacts:
       * which wellbeing rule gave way stays with the agent. */
      char shown[sizeof r->reasons + 128];
      maat__reasons_for(c, r->reasons, NULL, shown, sizeof shown);
      json_object_set_new(e, "reasons", maat__msg_json(c, shown));
      json_object_set_new(e, "reason_codes", maat__msg_codes(shown, 1));
    }
    json_array_append_new(recent, e);
  }
  return recent;
}

enum MHD_Result maat__get_team(struct call *c)
{
  struct maat_team_view *v = maat_malloc(sizeof *v);
  json_t *o, *agents, *hours, *bot;

  c->audit_read = 1;  /* team wellbeing figures: who read them is kept */
  if (!v || maat_engine_team_view(c->s->engine, v)) {
    maat_free(v);
    return maat__fail_call(c, 500, "out of memory", NULL);
  }
  o = json_object();
  agents = json_object();
  for (int k = 0; k <= 4; k++)
    json_object_set_new(agents, maat_agent_state_name(k),
                        json_integer(v->agents[k]));
  json_object_set_new(agents, "on_shift", json_integer(v->on_shift));
  json_object_set_new(o, "agents", agents);
  if (v->strain_shown) {
    json_object_set_new(o, "strain", strain_json(v));
  } else {
    json_object_set_new(o, "strain", json_null());
    json_object_set_new(o, "strain_withheld", json_string(
        v->period_end > 0 ? "group_too_small" : "no_period_yet"));
  }
  json_object_set_new(o, "strain_period_s", json_real(v->period_s));
  json_object_set_new(o, "overload_line", json_real(v->overload_line));
  hours = json_array();
  for (int h = 0; h < 24; h++)
    json_array_append_new(hours, v->hour_shown[h]
                          ? json_real(v->strain_by_hour[h]) : json_null());
  json_object_set_new(o, "strain_by_hour", hours);
  json_object_set_new(o, "min_group", json_integer(v->min_group));
  bot = json_object();
  json_object_set_new(bot, "contacts", json_integer(v->bot_contacts));
  json_object_set_new(bot, "share", json_real(v->bot_share));
  json_object_set_new(bot, "handed_back", json_integer(v->handed_back));
  json_object_set_new(o, "bot", bot);
  json_object_set_new(o, "to_people", json_integer(v->to_people));
  json_object_set_new(o, "service_level", v->waited
                      ? json_real(v->service_level) : json_null());
  json_object_set_new(o, "avg_wait_s", v->waited ? json_real(v->avg_wait_s)
                                                 : json_null());
  json_object_set_new(o, "target_s", json_real(v->target_s));
  json_object_set_new(o, "recent_decisions", recent_json(c, v));
  json_object_set_new(o, "warnings", json_integer(v->warnings));
  json_object_set_new(o, "t", json_real(maat__now_t(c->s)));
  maat_free(v);
  return maat__send_json(c, 200, o);
}

enum MHD_Result maat__get_warnings(struct call *c)
{
  struct maat_warning_view w[64];
  json_t *o = json_object();
  long personal = 0;
  int n = 0;

  long out[3] = { 0, 0, 0 };

  maat_engine_warnings(c->s->engine, w, 64, &n, &personal);
  json_object_set_new(o, "warnings", maat__warnings_json(c, w, n));
  /* Calls out (alerts, write-back) given up on: a person must look. */
  maat_store_outbox_counts(c->s->store, out);
  json_object_set_new(o, "undelivered", json_integer(out[MAAT_OUTBOX_DEAD]));
  /* Personal warnings go to their agent; the team sees only how many. */
  json_object_set_new(o, "personal_warnings", json_integer(personal));
  return maat__send_json(c, 200, o);
}

static void metrics_text(struct maat_server *s, FILE *f)
{
  struct maat_engine_counters k;

  maat_engine_counters(s->engine, maat__now_t(s), &k);
  /* This node: several may share a store (docs/deploy.md). */
  pthread_mutex_lock(&s->node_mu);
  fprintf(f, "# HELP maat_node_leader 1 on the node that writes the log "
          "and routes, 0 on a follower.\n# TYPE maat_node_leader gauge\n"
          "maat_node_leader %d\n", !s->o.follow);
  fprintf(f, "# HELP maat_node_log_seq The last event of the log this node "
          "has.\n# TYPE maat_node_log_seq gauge\nmaat_node_log_seq %lld\n",
          (long long)maat_engine_last_seq(s->engine));
  fprintf(f, "# HELP maat_node_forwarded_total Writes this follower handed "
          "to the leader.\n# TYPE maat_node_forwarded_total counter\n"
          "maat_node_forwarded_total %ld\n", s->fwd_total);
  fprintf(f, "# HELP maat_node_forward_unanswered_total Of those, answered "
          "202 (no leader answered in time).\n"
          "# TYPE maat_node_forward_unanswered_total counter\n"
          "maat_node_forward_unanswered_total %ld\n", s->fwd_pending);
  fprintf(f, "# HELP maat_node_inbox_applied_total Writes from followers "
          "this leader ran.\n# TYPE maat_node_inbox_applied_total counter\n"
          "maat_node_inbox_applied_total %ld\n", s->inbox_applied);
  fprintf(f, "# HELP maat_node_inbox_not_rerun_total Writes a dead leader "
          "had applied, answered without running them again.\n"
          "# TYPE maat_node_inbox_not_rerun_total counter\n"
          "maat_node_inbox_not_rerun_total %ld\n", s->inbox_retried);
  fprintf(f, "# HELP maat_node_inbox_waiting Writes waiting in the inbox "
          "(leader, counted every minute).\n"
          "# TYPE maat_node_inbox_waiting gauge\nmaat_node_inbox_waiting "
          "%lld\n", (long long)s->inbox_waiting);
  pthread_mutex_unlock(&s->node_mu);
  fprintf(f, "# HELP maat_queue_length Contacts waiting for a person.\n"
          "# TYPE maat_queue_length gauge\n");
  for (int t = 1; t <= 3; t++)
    fprintf(f, "maat_queue_length{tier=\"%s\"} %ld\n", maat_tier_name(t),
            k.queued[t]);
  fprintf(f, "# HELP maat_queue_oldest_wait_seconds The longest current "
          "wait.\n# TYPE maat_queue_oldest_wait_seconds gauge\n"
          "maat_queue_oldest_wait_seconds %.3f\n", k.oldest_wait_s);
  fprintf(f, "# HELP maat_wait_seconds_sum Waits of contacts assigned to "
          "people.\n# TYPE maat_wait_seconds summary\n"
          "maat_wait_seconds_sum %.3f\nmaat_wait_seconds_count %ld\n",
          k.wait_sum, k.waited);
  fprintf(f, "# HELP maat_decisions_total Assignments by tier, bot or "
          "person, and policy.\n# TYPE maat_decisions_total counter\n");
  for (int t = 1; t <= 3; t++)
    for (int p = 0; p < 2; p++)
      fprintf(f, "maat_decisions_total{tier=\"%s\",to=\"%s\",policy=\"%s\"} "
              "%ld\n", maat_tier_name(t), p ? "person" : "bot", s->policy,
              k.decisions[t][p]);
  fprintf(f, "# TYPE maat_contacts_total counter\nmaat_contacts_total %ld\n"
          "# TYPE maat_abandoned_total counter\nmaat_abandoned_total %ld\n"
          "# TYPE maat_handed_back_total counter\nmaat_handed_back_total "
          "%ld\n# HELP maat_warnings_total Early and overload warnings.\n"
          "# TYPE maat_warnings_total counter\nmaat_warnings_total %ld\n",
          k.contacts, k.abandoned, k.handbacks, k.warnings);
  fprintf(f, "# HELP maat_agents_on_shift Agents not offline.\n"
          "# TYPE maat_agents_on_shift gauge\nmaat_agents_on_shift %ld\n",
          k.on_shift);
  {
    long out[3] = { 0, 0, 0 };
    maat_store_outbox_counts(s->store, out);
    pthread_mutex_lock(&s->outbox_mu);
    fprintf(f, "# HELP maat_outbox_rows Calls out (alerts, helpdesk "
            "write-back) by state.\n# TYPE maat_outbox_rows gauge\n"
            "maat_outbox_rows{state=\"pending\"} %ld\n"
            "maat_outbox_rows{state=\"done\"} %ld\n"
            "maat_outbox_rows{state=\"dead\"} %ld\n"
            "# HELP maat_outbox_deliveries_total Calls delivered by this "
            "process.\n# TYPE maat_outbox_deliveries_total counter\n"
            "maat_outbox_deliveries_total %ld\n"
            "# TYPE maat_outbox_retries_total counter\n"
            "maat_outbox_retries_total %ld\n"
            "# TYPE maat_outbox_dead_total counter\n"
            "maat_outbox_dead_total %ld\n"
            "# HELP maat_outbox_latency_seconds_sum From the cause's commit "
            "to delivery.\n# TYPE maat_outbox_latency_seconds summary\n"
            "maat_outbox_latency_seconds_sum %.3f\n"
            "maat_outbox_latency_seconds_count %ld\n",
            out[MAAT_OUTBOX_PENDING], out[MAAT_OUTBOX_DONE],
            out[MAAT_OUTBOX_DEAD], s->out_delivered, s->out_retried,
            s->out_dead, s->out_latency_sum, s->out_delivered);
    fprintf(f, "# HELP maat_outbox_deduplicated_total Calls found made "
            "already by their check, not made again.\n"
            "# TYPE maat_outbox_deduplicated_total counter\n"
            "maat_outbox_deduplicated_total %ld\n", s->out_dedup);
    if (s->rt_running)
      fprintf(f, "# HELP maat_rt_transactions_total Request Tracker "
              "transactions read.\n# TYPE maat_rt_transactions_total counter\n"
              "maat_rt_transactions_total %ld\n"
              "# HELP maat_rt_errors_total Polls of Request Tracker that "
              "failed (tried again at the next).\n"
              "# TYPE maat_rt_errors_total counter\nmaat_rt_errors_total %ld\n",
              s->rt_read, s->rt_errors);
    pthread_mutex_unlock(&s->outbox_mu);
  }
  if (k.strain_shown)
    fprintf(f, "# HELP maat_team_strain_mean Mean strain of the agents on "
            "shift (only over the minimum group).\n"
            "# TYPE maat_team_strain_mean gauge\n"
            "maat_team_strain_mean %.4f\n", k.strain_mean);
}

enum MHD_Result maat__get_metrics(struct call *c)
{
  char *buf = NULL;
  size_t len = 0;
  enum MHD_Result ret;
  FILE *f = open_memstream(&buf, &len);

  c->audit_read = 1;
  if (!f)
    return maat__fail_call(c, 500, "out of memory", NULL);
  metrics_text(c->s, f);
  if (fclose(f) || !buf) {
    free(buf);
    return maat__fail_call(c, 500, "out of memory", NULL);
  }
  ret = maat__send_buf(c, 200, buf, len, "text/plain; version=0.0.4");
  free(buf);
  return ret;
}

static int add_outbox_row(void *ctx, const struct maat_store_outbox *r)
{
  json_t *e = json_object();

  json_object_set_new(e, "id", json_integer(r->id));
  json_object_set_new(e, "kind", json_string(r->kind));
  json_object_set_new(e, "url", json_string(r->url));
  json_object_set_new(e, "created", json_real(r->created));
  json_object_set_new(e, "attempts", json_integer(r->attempts));
  json_object_set_new(e, "last_error", r->last_error
                                           ? json_string(r->last_error)
                                           : json_null());
  json_object_set_new(e, "done_at", json_real(r->done_at));
  json_array_append_new(ctx, e);
  return MAAT_OK;
}

/*
 * GET /v1/outbox?state=dead|pending|done&limit=N: the calls out, newest
 * first (the dead letters by default), with their last error; no bodies
 * (they may carry a customer's words).
 */
enum MHD_Result maat__get_outbox(struct call *c)
{
  const char *st = maat__arg(c, "state");
  const char *lim = maat__arg(c, "limit");
  int state = MAAT_OUTBOX_DEAD, rc;
  long limit = 100, n[3];
  json_t *o, *list;

  if (st && !strcmp(st, "pending"))
    state = MAAT_OUTBOX_PENDING;
  else if (st && !strcmp(st, "done"))
    state = MAAT_OUTBOX_DONE;
  else if (st && strcmp(st, "dead"))
    return maat__fail_call(c, 400, "query 'state': expected dead, pending or "
                           "done", "state");
  if (lim) {
    char *end;
    limit = strtol(lim, &end, 10);
    if (*end || limit < 1 || limit > 1000)
      return maat__fail_call(c, 400, "query 'limit': expected 1 to 1000",
                             "limit");
  }
  list = json_array();
  if ((rc = maat_store_outbox_list(c->s->store, state, (int)limit,
                                   add_outbox_row, list)) ||
      (rc = maat_store_outbox_counts(c->s->store, n))) {
    json_decref(list);
    return maat__library_error(c, rc);
  }
  o = json_object();
  json_object_set_new(o, "state", json_string(st ? st : "dead"));
  json_object_set_new(o, "counts", json_pack("{s:I, s:I, s:I}", "pending",
                                             (json_int_t)n[0], "done",
                                             (json_int_t)n[1], "dead",
                                             (json_int_t)n[2]));
  json_object_set_new(o, "calls", list);
  return maat__send_json(c, 200, o);
}

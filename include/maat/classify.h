/*
 * maat/classify.h - hashed text features and the linear text classifier
 * (training, prediction, calibration, out-of-scope, model files).
 * Included by maat.h.
 *
 * The classifier is a multinomial logistic regression (softmax) over hashed
 * features: word n-grams and character n-grams of the tokens that
 * maat_tokenize() produces. Only the hash buckets seen in training get a
 * weight row, so models stay small and prediction costs a few dozen row
 * additions per message. Probabilities are calibrated with a softmax
 * temperature fitted on held-out data; a confidence threshold turns
 * low-confidence predictions into the out-of-scope label, which is how the
 * bot knows it must hand over.
 *
 * Thread safety: a maat_model is read-only after training or loading and may
 * be shared by any number of threads, each with its own maat_predictor.
 */
#ifndef MAAT_CLASSIFY_H
#define MAAT_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- datasets ---------------------------------------------------------- */

/* Labelled messages held in memory for training or evaluation. */
typedef struct maat_dataset maat_dataset;

/*
 * Returns MAAT_OK and a new, empty '*out', or MAAT_ENOMEM. Free with
 * maat_dataset_free().
 */
int maat_dataset_new(maat_dataset **out);
void maat_dataset_free(maat_dataset *d);

/*
 * Appends one message: 'len' bytes of UTF-8 at 'text' labelled 'label' (a
 * NUL-terminated, non-empty string). Both are copied. Returns MAAT_OK,
 * MAAT_EINVAL (empty label) or MAAT_ENOMEM; on failure the dataset is
 * unchanged.
 */
int maat_dataset_add(maat_dataset *d, const char *text, size_t len,
                     const char *label);

/* Number of messages. */
size_t maat_dataset_count(const maat_dataset *d);

/* The i-th message's text (NUL-terminated) and label; borrowed from 'd'. */
const char *maat_dataset_text(const maat_dataset *d, size_t i, size_t *len);
const char *maat_dataset_label(const maat_dataset *d, size_t i);

/* ---- training ---------------------------------------------------------- */

/* Feature flags. */
enum maat_feature_flags {
  MAAT_FEATURE_STEM = 1 << 0 /* add the Snowball stem of each word (nl/en) */
};

/*
 * Called during training with the fraction done in [0, 1] and the running
 * average training loss. Called from the training thread that owns the
 * first slice of the data; never called after maat_model_train() returns.
 */
typedef void (*maat_progress_fn)(void *userdata, double frac, double loss);

typedef struct maat_train_opts {
  int epochs;          /* passes over the data */
  double lr;           /* initial learning rate, decays linearly to 0 */
  int word_ngrams;     /* 1: unigrams; 2: + bigrams; up to 5 */
  int minn, maxn;      /* character n-gram lengths; maxn 0 disables them */
  int hash_bits;       /* hash space 2^hash_bits buckets, 10..24 */
  uint64_t seed;       /* shuffling and validation split */
  int threads;         /* 1 is bit-for-bit deterministic; >1 is Hogwild */
  unsigned flags;      /* enum maat_feature_flags */
  double valid_split;  /* held-out fraction when 'valid' is NULL; 0: none */
  const maat_dataset *valid; /* borrowed; held-out data for calibration */
  const char *oos_label;     /* out-of-scope label; NULL: "oos" */
  double threshold;    /* < 0: choose on the validation data (0 without oos) */
  maat_progress_fn progress;
  void *progress_userdata;
} maat_train_opts;

#define MAAT_TRAIN_OPTS_INIT \
  { 10, 2.0, 2, 3, 5, 20, 1, 1, 0, 0.1, NULL, NULL, -1.0, NULL, NULL }

/* What training measured, filled in by maat_model_train(). */
typedef struct maat_train_report {
  size_t n_train, n_valid;   /* messages used for each */
  size_t n_labels, n_rows;   /* classes, weight rows (seen hash buckets) */
  double train_loss;         /* average loss over the last epoch */
  double valid_accuracy;     /* top-1, before the threshold; -1 without valid */
  double ece_before, ece_after; /* 15-bin ECE at temperature 1 and fitted */
  double temperature, threshold;
  size_t valid_unknown;      /* validation messages with an unseen label */
  double threshold_kept;     /* no out-of-scope examples: the share of
                                in-scope validation messages the threshold
                                keeps; 0 otherwise */
} maat_train_report;

/*
 * Trains a classifier on 'train' (borrowed). 'opts' may be NULL for the
 * defaults. On success returns MAAT_OK, '*out' (free with maat_model_free())
 * and, if 'report' is non-NULL, the measurements. Errors: MAAT_EINVAL (bad
 * option, fewer than two labels, empty data), MAAT_EUTF8 (a message is not
 * UTF-8; the message names its index), MAAT_ENOMEM.
 */
typedef struct maat_model maat_model;
int maat_model_train(const maat_dataset *train, const maat_train_opts *opts,
                     maat_model **out, maat_train_report *report);

/* ---- models ------------------------------------------------------------ */

/*
 * Writes the model to 'path' (through a temporary file renamed into place).
 * Returns MAAT_OK or MAAT_EIO naming the file.
 */
int maat_model_save(const maat_model *m, const char *path);

/*
 * Loads a model written by maat_model_save(). Returns MAAT_OK and '*out'
 * (free with maat_model_free()), or MAAT_EIO (cannot read), MAAT_EFORMAT
 * ("not a maat model", "model format version N not supported"),
 * MAAT_ECORRUPT ("truncated", "checksum mismatch", bad field) or
 * MAAT_ENOMEM; every message names the file. A damaged or hostile file never
 * causes an out-of-bounds read; nothing is allocated beyond the file's size
 * and the bucket index (4 x 2^hash_bits bytes, at most 64 MiB).
 */
int maat_model_load(const char *path, maat_model **out);
void maat_model_free(maat_model *m);

size_t maat_model_label_count(const maat_model *m);
/* The i-th label (i < count), borrowed from 'm'; NULL when out of range. */
const char *maat_model_label(const maat_model *m, size_t i);
/* Index of label 'name', or -1 when the model has no such label. */
long maat_model_label_index(const maat_model *m, const char *name);
/*
 * Sensitive topics: intents a person answers by default, never the bot
 * (docs/triage.md, "Sensitive intents"). Decided at training time from
 * the intent's name and its examples, and kept in the model; for a model
 * from before, from the name alone.
 */
enum maat_sensitive {
  MAAT_SENSITIVE_NONE = 0,
  MAAT_SENSITIVE_FRAUD,        /* fraud, scams, theft, unrecognised payments */
  MAAT_SENSITIVE_BEREAVEMENT,
  MAAT_SENSITIVE_COMPLAINT,
  MAAT_SENSITIVE_LEGAL,
  MAAT_SENSITIVE_CANCELLATION, /* a cancellation voiced with a grievance */
  MAAT_SENSITIVE_VULNERABLE    /* debt, hardship */
};
/* "fraud", "bereavement", ...; "none" for 0, "?" otherwise. */
const char *maat_sensitive_name(int topic);
/* The topic of label 'i' of 'm' (MAAT_SENSITIVE_NONE when none). */
int maat_model_label_sensitive(const maat_model *m, size_t i);
/* The topic an intent's name alone says. */
int maat_sensitive_of_name(const char *label);

/* The out-of-scope label's name (borrowed); it need not be a class. */
const char *maat_model_oos_label(const maat_model *m);
/* The stored confidence threshold (0: none) and softmax temperature. */
double maat_model_threshold(const maat_model *m);
double maat_model_temperature(const maat_model *m);
/* Number of weight rows (hash buckets seen in training). */
size_t maat_model_rows(const maat_model *m);

/* ---- prediction -------------------------------------------------------- */

/* Per-thread scratch for prediction: tokenizer, feature and score buffers. */
typedef struct maat_predictor maat_predictor;

/*
 * Returns MAAT_OK and a predictor for 'm', which it borrows: 'm' must outlive
 * it. Free with maat_predictor_free(). MAAT_ENOMEM on failure.
 */
int maat_predictor_new(const maat_model *m, maat_predictor **out);
void maat_predictor_free(maat_predictor *p);

/* One candidate label and its calibrated probability. */
typedef struct maat_candidate {
  size_t label; /* index into the model's labels */
  double prob;
} maat_candidate;

typedef struct maat_prediction {
  /*
   * The decision: the top label, or the out-of-scope label when the top
   * probability is below the threshold. 'label' is NULL-free and borrowed
   * from the model; 'label_index' is -1 when the out-of-scope label is not
   * a class of the model.
   */
  const char *label;
  long label_index;
  double confidence;   /* the top candidate's probability */
  int below_threshold; /* non-zero when the threshold made it out-of-scope */
  /* The top candidates, best first; owned by the predictor until its next
   * call. */
  const maat_candidate *top;
  size_t n_top;
} maat_prediction;

/*
 * Classifies 'len' bytes of UTF-8 at 'text'. 'k' is how many candidates to
 * return (at least 1, at most the label count); 'threshold' < 0 uses the
 * model's. Returns MAAT_OK and '*out', or MAAT_EUTF8 (with the offending
 * byte offset in the message) or MAAT_ENOMEM.
 */
int maat_predict(maat_predictor *p, const char *text, size_t len, size_t k,
                 double threshold, maat_prediction *out);

/*
 * Expected calibration error with 'bins' equal-width bins, over 'n'
 * predictions with confidence 'conf[i]' that were right when 'correct[i]'.
 * Returns 0 when 'n' is 0.
 */
double maat_ece(const double *conf, const unsigned char *correct, size_t n,
                int bins);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_CLASSIFY_H */

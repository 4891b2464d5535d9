/* ACRouter: which lines of the edited Java files the tests ran (lines_javacov.py).
 *
 * A JVMTI agent every JVM of the tests' run with the edit loads (-agentpath on
 * JAVA_TOOL_OPTIONS).  Its option is the path of a list ACRouter wrote: the out folder on
 * the first line, then one edited file per line, "<package path>/<SourceFile>\t<relative
 * path>" (com/x/Calc.java).  When a class whose package and source file name match an
 * edited file is prepared, a breakpoint goes on every line its methods' line number tables
 * name (those lines are the file's statements); a breakpoint that fires marks its line as
 * run and is cleared, so each line costs one stop.  At the VM's death the JVM writes
 * <out>/acrouter-java-<pid>.json: {"files": {"<relative path>": {"statements": [...],
 * "ran": [...]}}} (a file none of whose classes this JVM prepared is left out).  It writes
 * <out>/acrouter-java-<pid>.start as it prepares the first class of an edited file: a JVM
 * killed after that writes no json, and the run's lines are then not all known (one killed
 * before, a build tool's daemon that loads none of them, had nothing to tell).  A class redefined or retransformed after its
 * breakpoints were set (a mocking library, a coverage agent) may lose them: the file is
 * marked "reset" and its unrun lines are not said not to have run.  Anything this agent
 * cannot do is skipped silently; it never stops the JVM it is in. */
#include <jvmti.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  char *key;
  char *rel;
  int reset;
  int cap;
  unsigned char *stmt;
  unsigned char *ran;
} File;

static File *files;
static int nfiles;
static char *out_dir;
static jrawMonitorID lock;
static int done;
static int started;

static char *copy(const char *s, size_t n) {
  char *p = malloc(n + 1);
  if (p) {
    memcpy(p, s, n);
    p[n] = 0;
  }
  return p;
}

static int grow(File *f, int line) {
  if (line < 0) return 0;
  if (line < f->cap) return 1;
  int cap = f->cap ? f->cap : 256;
  while (cap <= line) cap *= 2;
  unsigned char *s = realloc(f->stmt, cap);
  if (!s) return 0;
  f->stmt = s;
  unsigned char *r = realloc(f->ran, cap);
  if (!r) return 0;
  f->ran = r;
  memset(f->stmt + f->cap, 0, cap - f->cap);
  memset(f->ran + f->cap, 0, cap - f->cap);
  f->cap = cap;
  return 1;
}

static int read_list(const char *path) {
  FILE *in = fopen(path, "r");
  if (!in) return 0;
  char buf[8192];
  int ok = 0;
  while (fgets(buf, sizeof buf, in)) {
    size_t n = strcspn(buf, "\r\n");
    buf[n] = 0;
    if (!out_dir) {
      out_dir = copy(buf, n);
      ok = out_dir != NULL;
      continue;
    }
    char *tab = strchr(buf, '\t');
    if (!tab) continue;
    File *more = realloc(files, (nfiles + 1) * sizeof *files);
    if (!more) break;
    files = more;
    memset(&files[nfiles], 0, sizeof *files);
    files[nfiles].key = copy(buf, tab - buf);
    files[nfiles].rel = copy(tab + 1, strlen(tab + 1));
    if (files[nfiles].key && files[nfiles].rel) nfiles++;
  }
  fclose(in);
  return ok && nfiles > 0;
}

/* the edited file a class comes from, or -1 */
static int file_of(jvmtiEnv *j, jclass k) {
  char *src = NULL, *sig = NULL;
  int found = -1;
  if ((*j)->GetSourceFileName(j, k, &src) != JVMTI_ERROR_NONE) return -1;
  if ((*j)->GetClassSignature(j, k, &sig, NULL) == JVMTI_ERROR_NONE && sig[0] == 'L') {
    const char *body = sig + 1;
    const char *slash = strrchr(body, '/');
    size_t plen = slash ? (size_t)(slash - body + 1) : 0;
    size_t slen = strlen(src);
    for (int i = 0; i < nfiles; i++) {
      const char *key = files[i].key;
      if (strlen(key) == plen + slen && strncmp(key, body, plen) == 0 &&
          strcmp(key + plen, src) == 0) {
        found = i;
        break;
      }
    }
  }
  if (sig) (*j)->Deallocate(j, (unsigned char *)sig);
  (*j)->Deallocate(j, (unsigned char *)src);
  return found;
}

/* <out>/acrouter-java-<pid>.<suffix>, malloc'd */
static char *out_path(const char *suffix) {
  size_t room = strlen(out_dir) + 64;
  char *path = malloc(room);
  if (path) snprintf(path, room, "%s/acrouter-java-%ld.%s", out_dir, (long)getpid(), suffix);
  return path;
}

static void mark_start(jvmtiEnv *j) {
  (*j)->RawMonitorEnter(j, lock);
  if (!started) {
    started = 1;
    char *path = out_path("start");
    FILE *o = path ? fopen(path, "w") : NULL;
    if (o) fclose(o);
    free(path);
  }
  (*j)->RawMonitorExit(j, lock);
}

static void JNICALL on_prepare(jvmtiEnv *j, JNIEnv *jni, jthread t, jclass k) {
  int f = file_of(j, k);
  if (f < 0) return;
  mark_start(j);
  jint count = 0;
  jmethodID *methods = NULL;
  if ((*j)->GetClassMethods(j, k, &count, &methods) != JVMTI_ERROR_NONE) return;
  for (jint m = 0; m < count; m++) {
    jint n = 0;
    jvmtiLineNumberEntry *table = NULL;
    if ((*j)->GetLineNumberTable(j, methods[m], &n, &table) != JVMTI_ERROR_NONE) continue;
    for (jint e = 0; e < n; e++) {
      jvmtiError err = (*j)->SetBreakpoint(j, methods[m], table[e].start_location);
      if (err != JVMTI_ERROR_NONE && err != JVMTI_ERROR_DUPLICATE) continue;
      /* a line is a statement only where its breakpoint is set: else it could not be
       * seen to run */
      (*j)->RawMonitorEnter(j, lock);
      if (!done && grow(&files[f], table[e].line_number)) files[f].stmt[table[e].line_number] = 1;
      (*j)->RawMonitorExit(j, lock);
    }
    (*j)->Deallocate(j, (unsigned char *)table);
  }
  (*j)->Deallocate(j, (unsigned char *)methods);
}

static void JNICALL on_break(jvmtiEnv *j, JNIEnv *jni, jthread t, jmethodID method,
                             jlocation at) {
  jclass k = NULL;
  if ((*j)->GetMethodDeclaringClass(j, method, &k) == JVMTI_ERROR_NONE) {
    int f = file_of(j, k);
    jint n = 0;
    jvmtiLineNumberEntry *table = NULL;
    if (f >= 0 && (*j)->GetLineNumberTable(j, method, &n, &table) == JVMTI_ERROR_NONE) {
      (*j)->RawMonitorEnter(j, lock);
      for (jint e = 0; e < n; e++)
        if (table[e].start_location == at && !done && grow(&files[f], table[e].line_number))
          files[f].ran[table[e].line_number] = 1;
      (*j)->RawMonitorExit(j, lock);
      (*j)->Deallocate(j, (unsigned char *)table);
    }
    if (k) (*jni)->DeleteLocalRef(jni, k);
  }
  (*j)->ClearBreakpoint(j, method, at);
}

static void JNICALL on_class_file(jvmtiEnv *j, JNIEnv *jni, jclass redefined, jobject loader,
                                  const char *name, jobject domain, jint len,
                                  const unsigned char *data, jint *new_len,
                                  unsigned char **new_data) {
  if (!redefined) return;
  int f = file_of(j, redefined);
  if (f < 0) return;
  (*j)->RawMonitorEnter(j, lock);
  files[f].reset = 1;
  (*j)->RawMonitorExit(j, lock);
}

static void put_string(FILE *o, const char *s) {
  fputc('"', o);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(o, "\\%c", c);
    else if (c < 0x20)
      fprintf(o, "\\u%04x", c);
    else
      fputc(c, o);
  }
  fputc('"', o);
}

static void put_lines(FILE *o, const unsigned char *set, int cap) {
  int first = 1;
  fputc('[', o);
  for (int n = 0; n < cap; n++)
    if (set[n]) {
      fprintf(o, first ? "%d" : ",%d", n);
      first = 0;
    }
  fputc(']', o);
}

static void write_out(jvmtiEnv *j) {
  (*j)->RawMonitorEnter(j, lock);
  if (done) {
    (*j)->RawMonitorExit(j, lock);
    return;
  }
  done = 1;
  char *path = out_path("json"), *tmp = out_path("part");
  if (path && tmp) {
    FILE *o = fopen(tmp, "w");
    if (o) {
      int first = 1;
      fputs("{\"files\": {", o);
      for (int i = 0; i < nfiles; i++) {
        if (!files[i].cap) continue;
        if (!first) fputs(", ", o);
        first = 0;
        put_string(o, files[i].rel);
        fputs(": {\"statements\": ", o);
        put_lines(o, files[i].stmt, files[i].cap);
        fputs(", \"ran\": ", o);
        put_lines(o, files[i].ran, files[i].cap);
        fprintf(o, ", \"reset\": %s}", files[i].reset ? "true" : "false");
      }
      fputs("}}\n", o);
      if (fclose(o) == 0) rename(tmp, path);
    }
  }
  free(path);
  free(tmp);
  (*j)->RawMonitorExit(j, lock);
}

static void JNICALL on_death(jvmtiEnv *j, JNIEnv *jni) { write_out(j); }

JNIEXPORT jint JNICALL Agent_OnLoad(JavaVM *vm, char *options, void *reserved) {
  jvmtiEnv *j = NULL;
  if (!options || !read_list(options)) return JNI_OK;
  if ((*vm)->GetEnv(vm, (void **)&j, JVMTI_VERSION_1_2) != JNI_OK || !j) return JNI_OK;
  jvmtiCapabilities caps;
  memset(&caps, 0, sizeof caps);
  caps.can_generate_breakpoint_events = 1;
  caps.can_get_line_numbers = 1;
  caps.can_get_source_file_name = 1;
  /* to see another agent's retransformation, which clears the class's breakpoints */
  caps.can_retransform_classes = 1;
  if ((*j)->AddCapabilities(j, &caps) != JVMTI_ERROR_NONE) return JNI_OK;
  if ((*j)->CreateRawMonitor(j, "acrouter-javacov", &lock) != JVMTI_ERROR_NONE) return JNI_OK;
  jvmtiEventCallbacks calls;
  memset(&calls, 0, sizeof calls);
  calls.ClassPrepare = on_prepare;
  calls.Breakpoint = on_break;
  calls.VMDeath = on_death;
  calls.ClassFileLoadHook = on_class_file;
  if ((*j)->SetEventCallbacks(j, &calls, sizeof calls) != JVMTI_ERROR_NONE) return JNI_OK;
  if ((*j)->SetEventNotificationMode(j, JVMTI_ENABLE, JVMTI_EVENT_VM_DEATH, NULL) !=
      JVMTI_ERROR_NONE)
    return JNI_OK; /* nothing would be written: measure nothing */
  (*j)->SetEventNotificationMode(j, JVMTI_ENABLE, JVMTI_EVENT_CLASS_PREPARE, NULL);
  (*j)->SetEventNotificationMode(j, JVMTI_ENABLE, JVMTI_EVENT_BREAKPOINT, NULL);
  (*j)->SetEventNotificationMode(j, JVMTI_ENABLE, JVMTI_EVENT_CLASS_FILE_LOAD_HOOK, NULL);
  return JNI_OK;
}

<?php
// ACRouter: which lines of the edited PHP files this process ran (lines_phpcov.py).
// Every php of the tests' run reads our ini (PHP_INI_SCAN_DIR gains its folder, last),
// which makes this file its auto_prepend_file and points the pcov extension at the
// workspace and at this file.  Before the code under test, it starts pcov; at the end
// (a shutdown function registered while the others run, so it runs after them, and again
// from an object's destructor that hands itself over until it is the last object
// destroyed) it writes, for the edited files only (files.json beside this file: each as
// the run sees it), the lines pcov holds as executable and those that ran into
// <out>/acrouter-php-<pid>.json; each process also marks its start (.start).
// pcov keeps one record a process: a suite's own code coverage (PHPUnit's driver)
// stops it and clears it after each test.  Lines of this file that pcov must still hold
// at the end tell whether that happened ("reset": what ran before is gone).
// The project's own auto_prepend_file (its ini's, which ours replaces) is required
// after ours.  Nothing here may fail the suite: every error is swallowed (then this
// process writes nothing, and nothing is said of it).

namespace ACRouter\PhpCov;

final class Cov
{
    /** @var array{out: string, files: list<array{0: string, 1: string}>}|null */
    private static $cfg;
    /** @var int the line pcov must hold as run at the end: nothing cleared it */
    private static $mark = 0;
    /** @var bool pcov was stopped or cleared by other code: lines that ran may be gone */
    private static $reset = false;
    /** @var bool the shutdown began */
    private static $down = false;
    /** @var int how many times this process wrote */
    private static $writes = 0;
    /** @var Keeper|null */
    private static $keeper;
    /** @var int */
    private static $handovers = 0;
    /** @var string the project's own auto_prepend_file */
    public static $previous = '';

    public static function begin(): void
    {
        try {
            self::$previous = self::previous();
        } catch (\Throwable $e) {
            self::$previous = '';
        }
        try {
            if (!\extension_loaded('pcov') || !\ini_get('pcov.enabled')) {
                return;
            }
            $text = @\file_get_contents(__DIR__ . '/files.json');
            $cfg = \is_string($text) ? \json_decode($text, true) : null;
            if (!\is_array($cfg) || !\is_string($cfg['out'] ?? null) || !\is_array($cfg['files'] ?? null)) {
                return;
            }
            \pcov\start();
            self::$mark = __LINE__;
            // this file is measured too (its lines are how a reset is seen): else, nothing is
            $self = \pcov\collect(\pcov\inclusive, [__FILE__]);
            if ((($self[__FILE__] ?? [])[self::$mark] ?? 0) !== 1) {
                \pcov\stop();
                return;
            }
            self::$cfg = $cfg;
            // this process started: one that never writes its lines (a kill, an exec) is known
            @\touch($cfg['out'] . '/acrouter-php-' . \getmypid() . '.start');
            \register_shutdown_function([self::class, 'shutdown']);
            self::$keeper = new Keeper();
        } catch (\Throwable $e) {
            self::$cfg = null;
        }
    }

    // the auto_prepend_file the other ini files of this php give ('' when none): ours,
    // read last, replaced it
    private static function previous(): string
    {
        $files = [];
        $main = \php_ini_loaded_file();
        if (\is_string($main)) {
            $files[] = $main;
        }
        $scanned = \php_ini_scanned_files();
        foreach (\is_string($scanned) ? \explode(',', $scanned) : [] as $file) {
            $file = \trim($file);
            if ($file !== '' && \dirname($file) !== __DIR__) {
                $files[] = $file;
            }
        }
        $value = '';
        foreach ($files as $file) {
            $text = @\file_get_contents($file);
            if (!\is_string($text) || \strpos($text, 'auto_prepend_file') === false) {
                continue;
            }
            if (!\preg_match_all('/^[ \t]*auto_prepend_file[ \t]*=([^\r\n]*)/m', $text, $m)) {
                continue;
            }
            $raw = \trim((string) \preg_replace('/;.*$/', '', (string) \end($m[1])));
            if (\in_array(\strtolower($raw), ['', 'none', '""', "''"], true)) {
                $value = '';
                continue;
            }
            $ini = @\parse_ini_string($text, false, \INI_SCANNER_NORMAL);
            if (\is_array($ini) && isset($ini['auto_prepend_file'])) {
                $value = (string) $ini['auto_prepend_file'];
            }
        }
        return $value;
    }

    public static function shutdown(): void
    {
        self::$down = true;
        // registered now, it runs after the shutdown functions registered before
        \register_shutdown_function([self::class, 'write']);
    }

    // a keeper's destructor: hand over to a new keeper (at the top of the object store,
    // which reuses no slot while the destructors run) until no object follows ours
    public static function last(Keeper $keeper): void
    {
        if (!self::$down || self::$cfg === null) {
            return;
        }
        try {
            $probe = new \stdClass();
            if (\spl_object_id($probe) !== \spl_object_id($keeper) + 1 && self::$handovers++ < 1000) {
                self::$keeper = new Keeper();
                return;
            }
        } catch (\Throwable $e) {
        }
        self::write();
    }

    public static function write(): void
    {
        $cfg = self::$cfg;
        if ($cfg === null) {
            return;
        }
        try {
            $first = self::$writes++ === 0;
            $probe = __LINE__;  // pcov holds this line as run only if it runs now
            \pcov\start();
            $names = [__FILE__ => ''];
            foreach ($cfg['files'] as $pair) {
                if (!\is_array($pair) || \count($pair) !== 2) {
                    continue;
                }
                [$rel, $path] = $pair;
                $names[$path] = $rel;
                $real = @\realpath($path);
                if (\is_string($real)) {
                    $names[$real] = $rel;
                }
            }
            $data = \pcov\collect(\pcov\inclusive, \array_map('strval', \array_keys($names)));
            $mine = $data[__FILE__] ?? [];
            if (($mine[self::$mark] ?? 0) !== 1 || ($first && ($mine[$probe] ?? 0) !== 1)) {
                self::$reset = true;  // cleared, or stopped: what ran until then may be gone
            }
            if (\class_exists('SebastianBergmann\CodeCoverage\Driver\PcovDriver', false)) {
                self::$reset = true;  // PHPUnit's coverage: it stops and clears pcov each test
            }
            $files = [];
            foreach ($data as $name => $lines) {
                $rel = $names[$name] ?? '';
                if ($rel === '' || !\is_array($lines)) {
                    continue;
                }
                $statements = $files[$rel]['statements'] ?? [];
                $ran = $files[$rel]['ran'] ?? [];
                foreach ($lines as $line => $hit) {
                    $statements[] = (int) $line;
                    if ($hit > 0) {
                        $ran[] = (int) $line;
                    }
                }
                $files[$rel] = ['statements' => $statements, 'ran' => $ran];
            }
            foreach ($files as $rel => $seen) {
                $statements = \array_values(\array_unique($seen['statements']));
                $ran = \array_values(\array_unique($seen['ran']));
                \sort($statements);
                \sort($ran);
                $files[$rel] = ['statements' => $statements, 'ran' => $ran];
            }
            $json = \json_encode(['files' => (object) $files, 'reset' => self::$reset]);
            $path = $cfg['out'] . '/acrouter-php-' . \getmypid() . '.json';
            if (\is_string($json) && @\file_put_contents("$path.part", $json . "\n") !== false) {
                @\rename("$path.part", $path);
            }
        } catch (\Throwable $e) {
        }
    }
}

final class Keeper
{
    public function __destruct()
    {
        Cov::last($this);
    }
}

Cov::begin();
if (Cov::$previous !== '') {
    require Cov::$previous;
}

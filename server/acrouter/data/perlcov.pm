# ACRouter: which lines of the edited Perl files this process ran (lines_perlcov.py).
# Loaded into every perl of the tests' run as a debugger, before the code under test
# (PERL5OPT=-d:ACRouterCov; this file is Devel/ACRouterCov.pm in a folder of
# PERL5LIB; for the scripts Perl's test harness runs with -T, which ignores both,
# HARNESS_PERL_SWITCHES=-I<that folder> -d:ACRouterCov): perl then calls DB::DB before each statement it runs, and keeps each
# file's lines, those it can stop at (its statements) marked.  At exit, the statements
# and the lines that ran of the edited files only (ACROUTER_PL_FILES: "rel\tmd5\tpath"
# lines, each as the run sees it; a file is one of them by its real path, or by its
# text's MD5: the copy MakeMaker's build puts in blib/) go into
# ACROUTER_PL_OUT/acrouter-pl-<pid>.json.  Nothing here may fail the suite: every error
# is swallowed (then this process writes nothing, and nothing is said of it).
package Devel::ACRouterCov;

our ($out, %targets, %digests, %names, %want, %ran, $started);

BEGIN {
    # (untainted: a script run with -T gets this module from HARNESS_PERL_SWITCHES)
    ($out) = (defined $ENV{ACROUTER_PL_OUT} ? $ENV{ACROUTER_PL_OUT} : '') =~ /\A(.+)\z/s;
    for my $line (split /\n/, defined $ENV{ACROUTER_PL_FILES} ? $ENV{ACROUTER_PL_FILES} : '') {
        my ($rel, $digest, $path) = $line =~ /\A([^\t]*)\t([0-9a-f]*)\t(.*)\z/s;
        next unless defined $path && length $path;
        $targets{$rel} = $path;
        $digests{$rel} = $digest;
        my ($base) = $path =~ m{([^/]+)\z};
        push @{ $names{$base} }, $rel if defined $base;
    }
    if (defined $out && %targets && !$Devel::ACRouterCov::started++) {
        # this process started: one that never writes its lines (exec, POSIX::_exit, a
        # kill) is known
        if (open my $fh, '>', "$out/acrouter-pl-$$.start") { close $fh }
        $DB::trace = 1;    # DB::DB from here on, the statements run as files load too
    }
}

sub _real {
    my ($path) = @_;
    my $real = eval { require Cwd; Cwd::abs_path($path) };
    return defined $real ? $real : $path;
}

sub _text {
    my ($path) = @_;
    open my $fh, '<', $path or return undef;
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text;
}

# the edited file that the file perl names $f is ('' when none): the same file, or a copy
# of its text (known by its MD5: the edited file itself is never opened here, as whether
# the run opened it says whether any test read it)
sub target {
    my ($f) = @_;
    my $rel = '';
    my ($base) = $f =~ m{([^/]+)\z};
    if (defined $base && $names{$base}) {
        my $real = _real($f);
        my $digest;
        for my $r (@{ $names{$base} }) {
            if (_real($targets{$r}) eq $real) { $rel = $r; last }
            unless (defined $digest) {
                my $text = _text($f);
                $digest = defined $text && eval { require Digest::MD5; 1 }
                    ? Digest::MD5::md5_hex($text) : '';
            }
            if (length $digest && $digest eq $digests{$r}) { $rel = $r; last }
        }
    }
    $want{$f} = $rel;
    return $rel;
}

sub _json_string {
    my ($s) = @_;
    $s =~ s/(["\\])/\\$1/g;
    $s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
    return qq{"$s"};
}

sub finish {
    local ($@, $!, $?, $^W);
    eval {
        return unless defined $out && %targets;
        my %statements;
        for my $key (keys %main::) {
            next unless $key =~ /\A_<(.+)\z/s;
            my $f = $1;
            my $rel = exists $want{$f} ? $want{$f} : target($f);
            next unless length $rel;
            my $src = \@{"main::_<$f"};
            for my $n (1 .. $#$src) {
                $statements{$rel}{$n} = 1 if defined $src->[$n] && $src->[$n] != 0;
            }
        }
        my @files;
        for my $rel (sort keys %statements) {
            my $stmts = join ',', sort { $a <=> $b } keys %{ $statements{$rel} };
            my $ran = join ',', sort { $a <=> $b } keys %{ $ran{$rel} || {} };
            push @files, _json_string($rel) . qq{:{"statements":[$stmts],"ran":[$ran]}};
        }
        my $path = "$out/acrouter-pl-$$.json";
        open my $fh, '>', "$path.part" or return;
        print {$fh} '{"files":{' . join(',', @files) . "}}\n";
        close $fh or return;
        rename "$path.part", $path;
    };
    return;
}

END { finish() }

package DB;

sub DB {
    my (undef, $f, $l) = caller;
    my $rel = $Devel::ACRouterCov::want{$f};
    $rel = Devel::ACRouterCov::target($f) unless defined $rel;
    $Devel::ACRouterCov::ran{$rel}{$l} = 1 if length $rel;
}

1;

# ACRouter: which lines of the edited Ruby files this process ran (lines_rubycov.py).
# Loaded by every ruby of the tests' run (RUBYOPT=-r<this file>), before the code under
# test: starts Ruby's own Coverage (lines) and, at exit, writes the line counts of the
# edited files only into ACROUTER_RB_OUT/acrouter-rb-<pid>.json.  A suite's own
# Coverage.start (simplecov) takes over from ours: what ours counted until then and what
# theirs returns are both kept.  Nothing here may fail the suite: every error is
# swallowed (then this process writes nothing, and nothing is said of it).
begin
  require "coverage"

  module ACRouterRubyCov
    @out = ENV["ACROUTER_RB_OUT"]
    # "rel\tpath" lines: the edited files, as the run sees them
    @targets = (ENV["ACROUTER_RB_FILES"] || "").split("\n").map { |l| l.split("\t", 2) }
    @targets = @targets.select { |pair| pair.size == 2 }
    @names = @targets.map { |_, path| File.basename(path) }
    @real = nil
    @seen = {} # rel -> [nil | 0 | 1, ...] (1: ran in some part of this process)
    @lost = {} # rel -> true: this process loaded it but its lines could not be read
    @ours = false # our Coverage is the one running

    class << self
      attr_accessor :ours

      def start
        return if @out.nil? || @targets.empty?
        # this process started: one that never writes its lines (exit!, a kill) is known
        File.open(File.join(@out, "acrouter-rb-#{Process.pid}.start"), "w") {}
        Coverage.start(lines: true)
        @ours = true
        at_exit { ACRouterRubyCov.finish }
      end

      def real(path)
        File.realpath(path)
      rescue StandardError
        File.expand_path(path)
      end

      # the edited file a path Coverage reports is, or nil
      def target(path)
        return nil unless @names.include?(File.basename(path))
        @real ||= @targets.map { |rel, p| [rel, real(p)] }
        mine = real(path)
        hit = @real.find { |_, p| p == mine }
        hit && hit[0]
      end

      # keep what a Coverage result says of the edited files
      def keep(result)
        return unless result.is_a?(Hash)
        result.each do |path, data|
          rel = target(path.to_s)
          next if rel.nil?
          lines = data.is_a?(Hash) ? data[:lines] : data
          unless lines.is_a?(Array)
            @lost[rel] = true
            next
          end
          had = @seen[rel] || []
          merged = Array.new([had.size, lines.size].max) do |i|
            a, b = had[i], lines[i]
            a.nil? && b.nil? ? nil : ((a.to_i > 0 || b.to_i > 0) ? 1 : 0)
          end
          @seen[rel] = merged
        end
      rescue StandardError
        nil
      end

      # before the suite's own Coverage.start/setup: ours stops, what it counted kept
      def hand_over
        return unless @ours
        @ours = false
        keep(Coverage.result)
      rescue StandardError
        nil
      end

      def json(text)
        '"' + text.to_s.gsub(/[\\"\u0000-\u001f]/) { |c| format("\\u%04x", c.ord) } + '"'
      end

      def finish
        if @ours || (Coverage.respond_to?(:running?) && Coverage.running?)
          @ours = false # (the hook lets this peek through)
          keep(Coverage.peek_result) # ours, or the suite's own still running
        end
        $LOADED_FEATURES.each do |f|
          rel = target(f)
          @lost[rel] = true unless rel.nil? || @seen.key?(rel)
        end
        files = @seen.map do |rel, lines|
          json(rel) + ":[" + lines.map { |n| n.nil? ? "null" : n.to_s }.join(",") + "]"
        end
        lost = @lost.keys.map { |rel| json(rel) }
        text = '{"files":{' + files.join(",") + '},"lost":[' + lost.join(",") + "]}"
        path = File.join(@out, "acrouter-rb-#{Process.pid}.json")
        File.open(path + ".part", "w") { |f| f.write(text) }
        File.rename(path + ".part", path)
      rescue StandardError, ScriptError
        nil
      end
    end

    # the suite's own coverage (simplecov): Coverage.start raises once ours runs
    module Hook
      def start(*args)
        ACRouterRubyCov.hand_over
        super
      end

      def setup(*args)
        ACRouterRubyCov.hand_over
        super
      end

      def result(*args)
        raise RuntimeError, "coverage measurement is not enabled" if ACRouterRubyCov.ours
        found = super
        ACRouterRubyCov.keep(found)
        found
      end

      def peek_result(*args)
        raise RuntimeError, "coverage measurement is not enabled" if ACRouterRubyCov.ours
        super
      end

      def running?(*args)
        ACRouterRubyCov.ours ? false : super
      end
    end
  end

  Coverage.singleton_class.prepend(ACRouterRubyCov::Hook)
  ACRouterRubyCov.start
rescue StandardError, ScriptError
  nil
end

using System.Diagnostics;
using System.Security.Cryptography;
using Optimizer.Tests.Shared;

namespace Optimizer.Hostile.Tests.Fuzz;

/// <summary>
/// A bounded fuzz loop over one target: replays the target's stored crashes, then mutates its seeds
/// (tests/hostile/fuzz/&lt;target&gt;/seeds) for HOSTILE_FUZZ_SECONDS (default 3) with seed HOSTILE_FUZZ_SEED
/// (default 10). An input that makes the target throw anything but its coded exception, or run longer than
/// 10 s, is written to tests/hostile/fuzz/&lt;target&gt;/crashes and named in the result.
/// </summary>
internal sealed class FuzzRun(string target, Action<byte[]> execute, Func<Exception, bool> isCoded)
{
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(10);

    public static TimeSpan Budget { get; } = TimeSpan.FromSeconds(
        double.TryParse(Environment.GetEnvironmentVariable("HOSTILE_FUZZ_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 3);

    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_FUZZ_SEED"), out var seed) ? seed : 10;

    private string Folder => Path.Combine(RepositoryLayout.RequiredRoot, "tests", "hostile", "fuzz", target);

    /// <summary>Runs the loop; the result lists crash files (empty: none found) and the counts to log.</summary>
    public FuzzResult Run()
    {
        var seeds = Directory.EnumerateFiles(Path.Combine(Folder, "seeds")).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        var stored = Directory.Exists(Path.Combine(Folder, "crashes"))
            ? Directory.EnumerateFiles(Path.Combine(Folder, "crashes")).Order(StringComparer.Ordinal).ToList()
            : [];
        var crashes = new SortedSet<string>(StringComparer.Ordinal);
        long execs = 0, rejected = 0;
        byte[]? current = null;
        var started = Stopwatch.StartNew();
        var inputStarted = Stopwatch.StartNew();
        var done = false;

        void One(byte[] input, string? storedFile)
        {
            Volatile.Write(ref current, input);
            inputStarted.Restart();
            try
            {
                execute(input);
            }
            catch (Exception e) when (isCoded(e))
            {
                Interlocked.Increment(ref rejected);
            }
            catch (Exception e)
            {
                lock (crashes)
                    crashes.Add((storedFile ?? Save(input, "crash")) + $": {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
            }
            Interlocked.Increment(ref execs);
        }

        Exception? harnessFailure = null;
        var worker = new Thread(() =>
        {
            try
            {
                foreach (var file in stored)
                    One(File.ReadAllBytes(file), Path.GetFileName(file));
                var mutator = new Mutator(Seed);
                for (var i = 0; started.Elapsed < Budget && seeds.Count > 0; i++)
                    One(mutator.Mutate(seeds[i % seeds.Count], seeds), null);
            }
            catch (Exception e)
            {
                harnessFailure = e; // a bug in the mutator or the loop, not a finding: rethrown below
            }
            Volatile.Write(ref done, true);
        }, 256 * 1024 * 1024) { IsBackground = true, Name = "fuzz " + target };
        worker.Start();
        while (!Volatile.Read(ref done))
        {
            if (worker.Join(TimeSpan.FromMilliseconds(200)))
                break;
            if (inputStarted.Elapsed > StuckAfter)
            {
                // The worker cannot be aborted; it is a background thread and dies with the test host.
                lock (crashes)
                    crashes.Add(Save(Volatile.Read(ref current)!, "timeout") + $": still running after {StuckAfter.TotalSeconds:F0} s");
                break;
            }
        }

        if (harnessFailure is not null)
            throw new InvalidOperationException("the fuzz loop itself failed", harnessFailure);
        lock (crashes)
            return new FuzzResult(target, Interlocked.Read(ref execs), Interlocked.Read(ref rejected), started.Elapsed, seeds.Count, stored.Count, crashes.ToList());
    }

    private string Save(byte[] input, string kind)
    {
        var folder = Path.Combine(Folder, "crashes");
        Directory.CreateDirectory(folder);
        var name = $"{kind}-{Convert.ToHexStringLower(SHA256.HashData(input))[..16]}.bin";
        File.WriteAllBytes(Path.Combine(folder, name), input);
        return name;
    }
}

/// <summary>What a fuzz loop did: executions, inputs refused with the coded exception, and the crash files (with what they threw).</summary>
internal sealed record FuzzResult(string Target, long Execs, long Rejected, TimeSpan Elapsed, int Seeds, int StoredCrashes, IReadOnlyList<string> Crashes)
{
    public override string ToString() =>
        $"fuzz {Target}: {Execs} execs in {Elapsed.TotalSeconds:F1} s ({Execs / Math.Max(Elapsed.TotalSeconds, 0.001):F0}/s), {Rejected} refused with a code, " +
        $"{Seeds} seeds, {StoredCrashes} stored crashes replayed, {Crashes.Count} crashing inputs" +
        string.Concat(Crashes.Select(c => "\n  " + c));
}

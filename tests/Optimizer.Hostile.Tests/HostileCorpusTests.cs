using System.Text.RegularExpressions;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Hostile.Tests;

/// <summary>
/// Issue 10's "what must be shown": every case of tests/hostile runs through the real <c>onnx-opt</c> in a child
/// process and must end as cases.json says: 0 crashes (signal exits), 0 hangs, 0 OPT1099, the expected coded error
/// and nothing written for a hostile model, a loadable model for a benign one, and safe generated C# for names.
/// </summary>
public sealed partial class HostileCorpusTests(ITestOutputHelper output)
{
    /// <summary>Categories issue 10 names; the corpus must hold several cases of each.</summary>
    private static readonly string[] RequiredCategories =
        ["injection", "files", "amplification", "ort_crash", "unrunnable", "bad_data", "shape_inference", "malformed", "nesting", "cycles", "dangling", "control"];

    /// <summary>Codes a case may expect: those defined in the codes files today and those issue 10 adds.</summary>
    private static readonly HashSet<string> IssueTenCodes = ["OPT1081", "OPT1059", "OPT1068", "OPT1069", "OPT1080", "OPT1117", "OPT1118", "OPT1123", "OPT1124"];

    public static TheoryData<string> CaseNames => new(HostileCorpus.Cases.Select(c => c.Name));

    [ConditionalTheory(Needs.Linux)]
    [MemberData(nameof(CaseNames))]
    public void A_hostile_case_ends_with_its_expected_coded_outcome(string name)
    {
        var hostileCase = HostileCorpus.Get(name);
        output.WriteLine($"{hostileCase.Category}: {hostileCase.Description}");
        using var workspace = new CaseWorkspace(hostileCase);
        var result = CliProcess.Run(workspace.Work, hostileCase.Args);
        output.WriteLine($"onnx-opt {string.Join(' ', hostileCase.Args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a))}");
        output.WriteLine(result.ToString());

        var problems = Problems(hostileCase, workspace, result);
        ResultLog.Write(hostileCase, problems);
        Assert.True(problems.Count == 0, $"{name} ({hostileCase.Category}): {string.Join("; ", problems)}");
    }

    [Fact]
    public void The_corpus_covers_every_category_with_coded_expectations()
    {
        var cases = HostileCorpus.Cases;
        foreach (var group in cases.GroupBy(c => c.Category).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var failing = group.Count(c => !c.MustSucceed);
            output.WriteLine($"{group.Key,-16} {group.Count(),4} cases ({failing} must fail with a code, {group.Count() - failing} must succeed, {group.Count(c => c.CheckGeneratedCode)} check generated C#)");
        }
        output.WriteLine($"{"total",-16} {cases.Count,4} cases");

        foreach (var category in RequiredCategories)
            Assert.True(cases.Count(c => c.Category == category) >= 3, $"category {category} has fewer than 3 cases");
        Assert.True(cases.Count >= 100, $"only {cases.Count} cases");
        var known = KnownCodes();
        foreach (var hostileCase in cases)
        {
            foreach (var file in hostileCase.Files)
                Assert.True(File.Exists(Path.Combine(HostileCorpus.ModelsFolder, file)), $"{hostileCase.Name}: {file} is not in tests/hostile/models; run generate.py");
            if (hostileCase.MustSucceed)
            {
                Assert.Equal(0, hostileCase.Expect.ExitCode);
                continue;
            }

            Assert.Equal(1, hostileCase.Expect.ExitCode);
            Assert.NotEmpty(hostileCase.Expect.Codes!);
            Assert.DoesNotContain("OPT1099", hostileCase.Expect.Codes!);
            foreach (var code in hostileCase.Expect.Codes!)
                Assert.True(known.Contains(code), $"{hostileCase.Name} expects {code}, which no codes file defines and issue 10 does not add");
        }
    }

    /// <summary>Every way the run can be wrong, in words (empty: as expected).</summary>
    private static List<string> Problems(HostileCase hostileCase, CaseWorkspace workspace, CliResult result)
    {
        var problems = new List<string>();
        var text = result.Stdout + result.Stderr;
        if (result.Hung)
        {
            problems.Add($"hang: still running after {CliProcess.Timeout.TotalSeconds:F0} s");
            return problems;
        }

        if (result.KilledBySignal)
            problems.Add($"crash: exit {result.ExitCode} (signal {result.ExitCode - 128})");
        if (text.Contains("OPT1099", StringComparison.Ordinal))
            problems.Add("internal error OPT1099");
        if (result.ExitCode != hostileCase.Expect.ExitCode)
            problems.Add($"exit {result.ExitCode}, expected {hostileCase.Expect.ExitCode}" + (hostileCase.MustSucceed ? "" : " (an unrunnable or hostile model was built)"));

        if (hostileCase.MustSucceed)
        {
            if (hostileCase.OutputModel is { } written && result.ExitCode == 0)
            {
                var path = Path.Combine(workspace.Work, written);
                try
                {
                    OnnxModelLoader.Load(path);
                }
                catch (Exception e)
                {
                    problems.Add($"the optimized model {written} does not load: {e.Message}");
                }

                var manifest = Path.ChangeExtension(path, ".model.json");
                if (!File.Exists(manifest))
                    problems.Add($"no manifest {Path.GetFileName(manifest)}");
                else if (hostileCase.CheckGeneratedCode)
                    problems.AddRange(GeneratedCodeCheck.Problems(manifest).Select(p => "generated code: " + p));
            }
        }
        else
        {
            var codes = Codes().Matches(result.Stderr).Select(m => m.Value).Distinct().ToList();
            if (!hostileCase.Expect.Codes!.Any(codes.Contains))
                problems.Add($"stderr has {(codes.Count == 0 ? "no code" : string.Join(", ", codes))}, expected {string.Join(" or ", hostileCase.Expect.Codes!)}");
            if (workspace.Outputs() is { Count: > 0 } left)
                problems.Add($"left outputs after failing: {string.Join(", ", left)}");
        }
        return problems;
    }

    /// <summary>The codes the four codes files define (read from source, so a new code is known once it is merged) plus issue 10's.</summary>
    private static HashSet<string> KnownCodes()
    {
        var root = RepositoryLayout.RequiredRoot;
        var files = new[]
        {
            "src/Optimizer.Onnx/OnnxErrorCodes.cs", "src/Optimizer.Engine/Diagnostics/EngineErrorCodes.cs",
            "src/Optimizer.Passes/PassErrorCodes.cs", "src/Optimizer.Engine/Supervision/EngineCrash.cs",
        };
        var known = files.Select(f => Path.Combine(root, f)).Where(File.Exists)
            .SelectMany(f => Codes().Matches(File.ReadAllText(f)).Select(m => m.Value)).ToHashSet();
        known.UnionWith(IssueTenCodes);
        known.Remove("OPT1099");
        return known;
    }

    [GeneratedRegex("OPT[0-9]{4}")]
    private static partial Regex Codes();
}

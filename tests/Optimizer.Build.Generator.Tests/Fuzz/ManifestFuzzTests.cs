using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Optimizer.Build.Generator.Tests.Harness;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Build.Generator.Tests.Fuzz;

/// <summary>
/// A bounded, seeded fuzz of the generator's manifest parser and emitters: every mutant of the seed
/// corpus (Fuzz/corpus) must be refused with a coded diagnostic or generate source that compiles
/// cleanly with nothing injected (<see cref="InjectionCheck"/>); the generator never throws. A mutant
/// that breaks this is written to the corpus as <c>crash-*.model.json</c> and stays a regression case.
/// Set OPTIMIZER_FUZZ_ITERATIONS to run longer than the CI smoke.
/// </summary>
public class ManifestFuzzTests(ITestOutputHelper output)
{
    private const string CorpusFolder = "Fuzz/corpus";
    private const int Seed = 20261206;
    private const int SmokeIterations = 200;

    private const string ModelSource = """
        namespace Sample;
        [Optimizer.Runtime.OnnxModel("Models/digits.onnx")]
        internal partial class DigitClassifier;
        """;

    private const string ManifestPath = "obj/optimizer/Sample.DigitClassifier.model.json";

    /// <summary>One compilation and driver for all runs: only the manifest changes, so the generator redoes only its manifest steps.</summary>
    private readonly CSharpCompilation _compilation = GeneratorHarness.Compilation(GeneratorHarness.DocumentingParseOptions, ModelSource);
    private AdditionalText _manifest = new InMemoryAdditionalText(ManifestPath, "{}");
    private GeneratorDriver? _driver;

    private static string[] Corpus() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, CorpusFolder), "*.model.json").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Every_corpus_manifest_is_refused_with_a_code_or_compiles_without_injection()
    {
        string[] corpus = Corpus();
        Assert.True(corpus.Length >= 3, "the seed corpus is missing from the test output");
        int generated = 0;
        foreach (string file in corpus)
        {
            generated += Check(File.ReadAllText(file), out _) ? 1 : 0;
        }

        // The seeds themselves are valid manifests; crash cases found later may be refusals.
        Assert.True(generated >= 3, $"{generated} of {corpus.Length} corpus manifests generated source");
    }

    [Fact]
    public void Mutated_manifests_are_refused_with_a_code_or_compile_without_injection()
    {
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("OPTIMIZER_FUZZ_ITERATIONS"), out int n) ? n : SmokeIterations;
        string[] seeds = Corpus().Select(File.ReadAllText).ToArray();
        var mutator = new ManifestMutator(Seed);
        var compiled = new HashSet<string>(StringComparer.Ordinal);
        int refused = 0, generated = 0, alreadySeen = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            string mutant = mutator.Mutate(seeds[i % seeds.Length]);
            try
            {
                switch (Check(mutant, out string? source, compiled))
                {
                    case false: refused++; break;
                    case true when source is null: alreadySeen++; break;
                    default: generated++; break;
                }
            }
            catch (Exception ex)
            {
                string crash = SaveCrash(mutant);
                throw new Xunit.Sdk.XunitException($"mutant {i} (seed {Seed}) broke the generator's contract; saved as {crash}:\n{ex}");
            }
        }

        output.WriteLine($"{iterations} mutants in {clock.Elapsed.TotalSeconds:F1} s: {refused} refused with a code, {generated} generated and compiled, {alreadySeen} generated source already compiled");
        Assert.True(refused > 0 && generated > 0, "the mutator no longer reaches both outcomes; its mutations need a look");
    }

    /// <summary>
    /// Runs the generator on one manifest and checks the contract; true when it generated source.
    /// <paramref name="source"/> is null when <paramref name="compiled"/> already held the generated text (not compiled again).
    /// </summary>
    private bool Check(string manifest, out string? source, HashSet<string>? compiled = null)
    {
        var next = new InMemoryAdditionalText(ManifestPath, manifest);
        _driver = _driver is null
            ? GeneratorHarness.CreateDriver(GeneratorHarness.DocumentingParseOptions).AddAdditionalTexts([next])
            : _driver.ReplaceAdditionalText(_manifest, next);
        _manifest = next;
        _driver = _driver.RunGeneratorsAndUpdateCompilation(_compilation, out Compilation output, out _);
        var run = new GeneratorRun(_driver.GetRunResult(), output);
        source = run.Result.GeneratedTrees.SingleOrDefault()?.GetText().ToString();
        if (source is not null && compiled is not null && !compiled.Add(source))
        {
            source = null;
            Assert.All(run.GeneratorDiagnostics, d => Assert.StartsWith("OPT20", d.Id));
            return true;
        }

        return InjectionCheck.Holds(run, "DigitClassifier");
    }

    /// <summary>Writes the mutant into the source tree's corpus (the test output's when there is no checkout); returns the path.</summary>
    private static string SaveCrash(string mutant)
    {
        string folder = RepositoryLayout.Root is { } root
            ? Path.Combine(root, "tests", "Optimizer.Build.Generator.Tests", CorpusFolder)
            : Path.Combine(AppContext.BaseDirectory, CorpusFolder);
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(mutant)))[..12].ToLowerInvariant();
        string path = Path.Combine(folder, $"crash-{hash}.model.json");
        File.WriteAllText(path, mutant);
        return path;
    }
}

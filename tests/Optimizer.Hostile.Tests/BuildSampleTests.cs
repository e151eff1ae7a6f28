using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Hostile.Tests;

/// <summary>
/// A sample of the corpus through a real <c>dotnet build</c> against the packed Optimizer.Build package (the feed
/// build/test.sh packs: OPTIMIZER_E2E_FEED and OPTIMIZER_E2E_VERSION): one app with injection models must build and
/// run without any model-supplied code running; one app with a hostile model of each category must fail with every
/// model's own coded error, without a hang or OPT1099.
/// </summary>
public sealed partial class BuildSampleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BuildLimit = TimeSpan.FromMinutes(8);

    /// <summary>Models whose names carry code: the build must succeed and the code must not run.</summary>
    private static readonly string[] InjectionCases = ["inject_output_lf", "inject_dim_ls", "inject_node_ps", "inject_docs_nel", "inject_output_quote"];

    /// <summary>One hostile model per category, declared with the attribute the case needs (%M = the model path).</summary>
    private static readonly (string Case, string Model, string Attributes)[] HostileCases =
    [
        ("files_model_dev_zero", "/dev/zero", ""),
        ("amplify_repeated_small", "Models/amplify_repeated_small.onnx", ""),
        ("crash_div_int64_min_by_minus_one", "Models/crash_div_int64_min_by_minus_one.onnx", "[Quantize(QuantizationMode.DynamicInt8)]"),
        ("unrunnable_opset_9999", "Models/unrunnable_opset_9999.onnx", ""),
        ("data_one_nan", "Models/data_model.onnx", "[Quantize(QuantizationMode.StaticInt8, Calibration = \"Models/data_one_nan.npy\")]"),
        ("shape_maxpool_stride_zero_ceil", "Models/shape_maxpool_stride_zero_ceil.onnx", ""),
        ("malformed_truncated_half", "Models/malformed_truncated_half.onnx", ""),
        ("nesting_sequence_type_200", "Models/nesting_sequence_type_200.onnx", ""),
        ("cycle_two_nodes", "Models/cycle_two_nodes.onnx", ""),
        ("dangling_node_input", "Models/dangling_node_input.onnx", ""),
    ];

    [ConditionalFact(Needs.PackedFeed | Needs.Linux)] // Linux: /dev/zero as a model path
    public void Injection_models_build_and_no_model_supplied_code_runs()
    {
        using var app = new SampleApp("HostileInjection");
        var declarations = new StringBuilder();
        foreach (var (name, i) in InjectionCases.Select((n, i) => (n, i)))
        {
            app.Copy(name + ".onnx", $"Models/{name}.onnx");
            declarations.AppendLine($"[OnnxModel(\"Models/{name}.onnx\")] public partial class Injected{i};");
        }
        app.Write("Program.cs", $$"""
            using System.Reflection;
            using System.Runtime.CompilerServices;
            using Optimizer.Runtime;

            var initializers = typeof(Injected0).Assembly.GetTypes()
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                .Count(m => m.GetCustomAttribute<ModuleInitializerAttribute>() is not null);
            Console.WriteLine($"pwned={Environment.GetEnvironmentVariable("OPTIMIZER_HOSTILE_PWNED") ?? "no"} initializers={initializers}");
            {{string.Concat(InjectionCases.Select((_, i) => $"Console.WriteLine(typeof(Injected{i}).Name);\n"))}}

            {{declarations}}
            """);

        var build = app.Dotnet("build -v:n -nologo");
        output.WriteLine(build.ToString());
        Assert.False(build.Hung, "the build hung");
        Assert.DoesNotContain("OPT1099", build.Output);
        Assert.Equal(0, build.ExitCode);

        var run = app.Dotnet("run --no-build");
        output.WriteLine(run.ToString());
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("pwned=no initializers=0", run.Output);
    }

    [ConditionalFact(Needs.PackedFeed | Needs.Linux)] // Linux: /dev/zero as a model path
    public void A_hostile_model_of_each_category_fails_the_build_with_its_own_code()
    {
        using var app = new SampleApp("HostileModels");
        var declarations = new StringBuilder();
        foreach (var (name, i) in HostileCases.Select((c, i) => (c, i)))
        {
            foreach (var file in HostileCorpus.Get(name.Case).Files)
                app.Copy(file, "Models/" + file);
            declarations.AppendLine($"[OnnxModel(\"{name.Model}\")] {name.Attributes} public partial class Hostile{i};");
        }
        app.Write("Program.cs", $"using Optimizer.Runtime;\n\nConsole.WriteLine(\"built\");\n\n{declarations}");

        var build = app.Dotnet("build -v:n -nologo");
        output.WriteLine(build.ToString());
        Assert.False(build.Hung, "the build hung");
        Assert.DoesNotContain("OPT1099", build.Output);
        Assert.NotEqual(0, build.ExitCode);
        var missing = new List<string>();
        foreach (var hostile in HostileCases)
        {
            // In a build the task refuses special files (OPT1024, at the declaration) before the engine could (OPT1117).
            var corpusCase = HostileCorpus.Get(hostile.Case);
            var codes = corpusCase.Category == "files" ? [.. corpusCase.Expect.Codes!, TaskRefusedFile] : corpusCase.Expect.Codes!.ToArray();
            var file = Path.GetFileName(hostile.Model);
            // Each model's own error, on a line naming it: a failure of one model must not hide or replace another's.
            if (!Lines().Matches(build.Output).Any(l => l.Value.Contains(file, StringComparison.Ordinal) && codes.Any(c => l.Value.Contains(c, StringComparison.Ordinal))))
                missing.Add($"{hostile.Case} ({file}): none of {string.Join(", ", codes)}");
        }
        Assert.True(missing.Count == 0, "models without their own coded error:\n" + string.Join("\n", missing));
    }

    private const string TaskRefusedFile = "OPT1024";

    [GeneratedRegex(".*error OPT[0-9]{4}.*")]
    private static partial Regex Lines();

    /// <summary>A console app in a temporary folder referencing Optimizer.Build from the packed feed, as a user's app would.</summary>
    private sealed class SampleApp : IDisposable
    {
        private readonly string _directory;

        public SampleApp(string name)
        {
            var (feed, version) = PackedFeed.Required;
            _directory = Path.Combine(Path.GetTempPath(), $"optimizer-hostile-{name}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(_directory);
            Write("Directory.Build.props", "<Project />");
            Write("Directory.Build.targets", "<Project />");
            Write("nuget.config", $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="optimizer-e2e" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            Write(name + ".csproj", $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Optimizer.Build" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
        }

        public void Write(string relative, string text)
        {
            var path = Path.Combine(_directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }

        public void Copy(string corpusFile, string relative)
        {
            var path = Path.Combine(_directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Copy(Path.Combine(HostileCorpus.ModelsFolder, corpusFile), path, overwrite: true);
        }

        /// <summary>Runs dotnet in the app's folder (the end-to-end tests' runner); a run past the limit is killed and reported as hung.</summary>
        public (int? ExitCode, string Output, bool Hung) Dotnet(string arguments)
        {
            try
            {
                var result = Optimizer.EndToEnd.Tests.ProcessRunner.Run("dotnet", arguments, _directory, timeout: BuildLimit);
                return (result.ExitCode, result.Output, false);
            }
            catch (TimeoutException e)
            {
                return (null, e.Message, true);
            }
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A build server may still hold a file; the temp folder is reclaimed later.
            }
        }
    }
}

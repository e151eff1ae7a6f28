using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Optimizer.Build.Generator.Emitter;
using Optimizer.Build.Generator.Tests.Harness;
using Field = Optimizer.Build.Generator.Tests.Harness.ManifestField;

namespace Optimizer.Build.Generator.Tests;

/// <summary>
/// A model file controls the names the generator writes into C#. Every field of the manifest gets
/// every way of ending a comment, literal or XML element followed by attack code; the generated
/// source is compiled against the real runtime and must declare nothing the generator did not mean to.
/// </summary>
public class CodeInjectionTests
{
    private const string HostileSource = """
        namespace Sample;
        [Optimizer.Runtime.OnnxModel("Models/hostile.onnx")]
        internal partial class Hostile;
        """;

    public static TheoryData<Field> FreeTextFields => new() { Field.InputName, Field.OutputName, Field.DimName, Field.ModelPath, Field.NodeName };

    public static TheoryData<Field> TokenFields => new() { Field.KernelName, Field.KernelsEntry, Field.VariantName, Field.VariantRequires, Field.ElementType, Field.AutoMachine, Field.AutoTimedAt, Field.AutoVariant };

    public static TheoryData<Field> ResourceFields => new() { Field.ResourceName, Field.ProgramResourceName, Field.VariantResourceName };

    private static GeneratorRun Generate(string manifest) =>
        GeneratorHarness.Run(GeneratorHarness.DocumentingParseOptions, [HostileSource], ("obj/optimizer/Sample.Hostile.model.json", manifest));

    [Theory]
    [MemberData(nameof(FreeTextFields))]
    public void Free_text_with_any_breaker_stays_inside_its_comment_or_literal(Field field)
    {
        foreach (string payload in HostileManifests.Payloads())
        {
            GeneratorRun run = Generate(HostileManifests.With(field, payload));

            Assert.True(InjectionCheck.Holds(run, "Hostile"), $"{field} {HostileManifests.Json(payload)} was refused: {string.Join("\n", run.GeneratorDiagnostics)}");
            Assert.Empty(run.GeneratorDiagnostics);
            if (field is Field.InputName or Field.OutputName or Field.DimName)
            {
                // The literal carries the exact name to the runtime.
                SyntaxTree tree = run.Result.GeneratedTrees.Single();
                Assert.Contains(tree.GetRoot().DescendantTokens(), t => t.IsKind(SyntaxKind.StringLiteralToken) && t.ValueText == payload);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TokenFields))]
    public void A_token_the_engine_never_writes_makes_the_manifest_malformed(Field field)
    {
        foreach (string payload in HostileManifests.Payloads())
        {
            GeneratorRun run = Generate(HostileManifests.With(field, payload));

            Assert.False(InjectionCheck.Holds(run, "Hostile"), $"{field} {HostileManifests.Json(payload)} was accepted");
            Assert.Equal("OPT2005", Assert.Single(run.GeneratorDiagnostics).Id);
        }
    }

    [Theory]
    [MemberData(nameof(ResourceFields))]
    public void A_resource_name_with_a_control_character_quote_or_slash_is_refused_and_any_other_is_a_literal(Field field)
    {
        foreach (string breaker in HostileManifests.Breakers)
        {
            string name = field == Field.ResourceName ? $"Optimizer.Build.A{breaker}B.onnx" : $"Optimizer.Build.A{breaker}B.kernels";
            GeneratorRun run = Generate(HostileManifests.With(field, name));

            bool plain = breaker.All(c => !char.IsControl(c) && (c == ' ' || !char.IsWhiteSpace(c)) && c is not ('\u2028' or '\u2029' or '\u202e' or '\ufeff') && !char.IsSurrogate(c)
                && "\"\\/*<>|?:`".IndexOf(c) < 0);
            Assert.Equal(plain, InjectionCheck.Holds(run, "Hostile"));
            if (!plain)
            {
                Assert.Equal("OPT2005", Assert.Single(run.GeneratorDiagnostics).Id);
            }
        }
    }

    [Fact]
    public void The_issues_module_initializer_in_an_output_name_compiles_to_a_plain_property()
    {
        GeneratorRun run = Generate(HostileManifests.With(Field.OutputName, HostileManifests.ModuleInitializerAttack));

        Assert.True(InjectionCheck.Holds(run, "Hostile"));
        Assert.Contains("public global::Optimizer.Runtime.ModelTensor<float> OutGlobalSystemRuntimeCompilerServicesModuleInitializerInternalStaticVoidPwnSystemIOFileWriteAllTextTmpPwnedX { get; }", run.SingleSource);
    }

    [Fact]
    public void Loading_the_generated_assembly_runs_no_model_supplied_code()
    {
        string marker = Path.Combine(Path.GetTempPath(), $"optimizer-pwned-{Guid.NewGuid():N}");
        // Every breaker in an output name (a tensor description, the issue's route); the other fields once, with the issue's payload.
        var cases = HostileManifests.Payloads().Select(p => (Field.OutputName, p))
            .Concat(new[] { Field.InputName, Field.DimName, Field.ModelPath, Field.NodeName }.Select(f => (f, HostileManifests.ModuleInitializerAttack)));
        foreach (var (field, payload) in cases)
        {
            GeneratorRun run = Generate(HostileManifests.With(field, payload.Replace("/tmp/pwned", marker)));
            using var image = new MemoryStream();
            EmitResult emitted = run.Output.Emit(image);
            Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
            image.Position = 0;
            var context = new AssemblyLoadContext("hostile", isCollectible: true);
            RuntimeHelpers.RunModuleConstructor(context.LoadFromStream(image).ManifestModule.ModuleHandle);
            context.Unload();
        }

        Assert.False(File.Exists(marker), "model-supplied code ran when the generated assembly was loaded");
    }

    [Fact]
    public void Diagnostic_arguments_stay_on_one_line()
    {
        string manifest = Manifests.With(
            "Sample.Hostile", "Models/hostile.onnx",
            Manifests.Tensor("a", "complex64", "[1]").Replace("\"a\"", HostileManifests.Json("a\nerror OPT9999: forged\u2028line")),
            Manifests.Tensor("b", "float32", "[1]"));

        GeneratorRun run = GeneratorHarness.Run(HostileSource, ("Sample.Hostile.model.json", manifest));

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("OPT2004", diagnostic.Id);
        Assert.Contains("input 'a?error OPT9999: forged?line'", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("Frobnicate:ffff I0[0,d0*64] W[512,640] W[0,10] O0[0,d0*10] | 1 d0 10 64 0 0 0 0 | 3F800000 00000000 00000000", "calls Frobnicate")]
    [InlineData("Gemm:fffu I0[0,d0*64] W[512,640] W[0,10] O0[0,d0*10] | 1 d0 10 64 0 0 0 0 | 3F800000 00000000 00000000", "operands fffu")]
    [InlineData("Gemm:ffff I0[0,d0*64] W[512,640] O0[0,d0*10] W[0,10] | 1 d0 10 64 0 0 0 0 | 3F800000 00000000 00000000", "calls Gemm")]
    [InlineData("Gemm:ffff I0[0,d0*64] W[512,640] W[0,10] O0[0,d0*10] | 1 d0 10 64 0 0 0 | 3F800000 00000000 00000000", "7 integer")]
    [InlineData("Gemm:ffff I0[0,d0*64] W[512,640] W[0,10] O0[0,d0*10] | 1 d0 10 64 0 0 0 [0] | 3F800000 00000000 00000000", "calls Gemm")]
    public void A_schedule_the_runtime_cannot_bind_is_left_to_the_interpreter_with_OPT2010(string step, string problem)
    {
        string manifest = HostileManifests.With(Field.NodeName, "n").Replace(
            HostileManifests.Json("Gemm:ffff I0[0,d0*64] W[512,640] W[0,10] O0[0,d0*10] | 1 d0 10 64 0 0 0 0 | 3F800000 00000000 00000000 # n"),
            HostileManifests.Json(step));

        GeneratorRun run = Generate(manifest);

        Assert.True(InjectionCheck.Holds(run, "Hostile"));
        Assert.Equal(2, run.GeneratorDiagnostics.Length); // the primary schedule and the fp32 variant's
        Assert.All(run.GeneratorDiagnostics, d =>
        {
            Assert.Equal("OPT2010", d.Id);
            Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
            Assert.Contains(problem, d.GetMessage());
        });
        Assert.DoesNotContain("__KernelSchedule", run.SingleSource);
    }

    [Fact]
    public void Encoders_leave_nothing_that_ends_a_line_or_a_literal()
    {
        foreach (string payload in HostileManifests.Payloads())
        {
            string comment = SourceText.Comment(payload);
            Assert.DoesNotContain(comment, c => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u202e' or '\ufeff' || char.IsSurrogate(c));
            Assert.DoesNotContain("*/", comment);
            Assert.DoesNotContain("/*", comment);

            string doc = SourceText.DocComment(payload);
            Assert.DoesNotContain(doc, c => c is '<' or '>' or '"' or '\'');

            string literal = SourceText.Literal(payload);
            Assert.All(literal, c => Assert.InRange(c, ' ', '~'));
            var parsed = (Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax)SyntaxFactory.ParseExpression(literal);
            Assert.Equal(payload, parsed.Token.ValueText);
        }
    }
}

// The compiled-kernel path at build time: after the passes, the optimized model goes through
// Optimizer.Compiler's KernelCompiler. When every node is covered, the program is written next to
// the optimized model as <Name>.kernels (the build targets embed it beside the .onnx) and the
// manifest lists the Compiled path and the kernels it calls; when not, the manifest says which
// nodes kept it from compiling and no .kernels file is left (a stale one from an earlier build is
// deleted, so it can never be embedded with a model it was not compiled from). Stale programs are
// deleted only after the new manifest is in place (Output/PlanOutputs), so a build killed at any instant
// leaves a manifest that names only files that exist. Compilation never
// fails the build: the ONNX Runtime path is always there. A quantized model that compiles also gets
// an fp32 variant (<Name>.fp32.kernels, the plan without Quantize): the manifest lists both, best
// first, and the runtime runs int8 only where Runtime's kernel table (KernelDispatch) records the
// CPU's int8 path as measured faster than its fp32 path. Both programs leave out the weights that
// are the optimized model's initializers (ProgramBytes): the app carries the weights once.

using Optimizer.Compiler;
using Optimizer.Engine.Manifests;
using Optimizer.Engine.Output;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Engine.Compilation;

/// <summary>Compiles the optimized model into a kernel program for the generated class's compiled path.</summary>
internal static class CompiledProgramOutput
{
    /// <summary>The file next to <c>&lt;Name&gt;.onnx</c>.</summary>
    public static string FileName(OptimizationPlan plan) => OutputNames.KernelProgram.FileName(plan.Name);

    /// <summary>The program's resource name: the model's, with <c>.kernels</c> for <c>.onnx</c> (what the runtime looks for).</summary>
    public static string ResourceName(string modelResourceName) => OutputNames.KernelProgram.ResourceName(modelResourceName)!;

    /// <summary>The fp32 variant's file: <c>&lt;Name&gt;.fp32.kernels</c>.</summary>
    public static string Fp32FileName(OptimizationPlan plan) => OutputNames.Fp32KernelProgram.FileName(plan.Name);

    /// <summary>The name of the variant compiled from the plan without quantization.</summary>
    public const string Fp32Variant = OutputNames.Fp32Variant;

    /// <summary>The name of the quantized variant (the optimized model itself).</summary>
    public const string Int8Variant = "int8";

    /// <summary>What the INT8 variant needs to be worth running (the name manifests carry): an int8 kernel path measured faster than the CPU's fp32 one (KernelDispatch's table).</summary>
    public const string Int8DotProduct = "int8-dot-product";

    /// <summary>
    /// Compiles <paramref name="model"/>; returns the files to write (none when not covered) and the
    /// manifest's execution entry. When the model is quantized, <paramref name="floatModel"/> (the same
    /// plan without quantization) is compiled too, as the fp32 variant the runtime picks on CPUs
    /// where its int8 kernels are not the faster ones.
    /// </summary>
    /// <param name="modelBytes">The optimized model as the app embeds it: programs read the weights that are its initializers from it at load time.</param>
    public static (IReadOnlyList<(string FileName, byte[] Bytes)> Files, ManifestExecution Execution) Compile(
        OptimizationPlan plan, OnnxModel model, byte[] modelBytes, Func<OnnxModel>? floatModel = null)
    {
        var mayGetVariant = floatModel is not null && IsQuantized(model);
        var (files, execution, int8Size) = CompileOne(plan, model, modelBytes, fullSize: mayGetVariant);
        if (execution.Compiled is not { } primary || floatModel is null || !mayGetVariant)
        {
            return (files, execution);
        }

        CompileResult fp32;
        try
        {
            fp32 = KernelCompiler.Compile(floatModel());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (files, execution); // the quantized program alone still runs everywhere
        }

        using var program = fp32.Program;
        if (program is null)
        {
            return (files, execution);
        }

        // Sized with all their weights, as before programs read them from the model: the same models get the variant.
        var fp32Size = program.ToBytes().LongLength;
        if (fp32Size > MaxFp32VariantGrowth * int8Size && fp32Size > MaxFp32VariantBytes)
        {
            // A quantized encoder's fp32 program is four times its int8 one (arctic_embed_xs: 90 MB
            // beside 23 MB): embedding it would undo what quantization saved, for CPUs that run ONNX
            // Runtime or the int8 program anyway.
            return (files, execution with
            {
                NotCompiled = [$"fp32 variant: left out, its {fp32Size / 1e6:F1} MB program would add more than {MaxFp32VariantGrowth}× the int8 program's {int8Size / 1e6:F1} MB to the app"],
            });
        }

        var bytes = ProgramBytes.Of(program, modelBytes);
        var resource = OutputNames.Fp32KernelProgram.ResourceName(plan.ResourceName)!;
        var variants = new List<ManifestVariant>
        {
            new(Int8Variant, Int8DotProduct, primary),
            new(Fp32Variant, null, Describe(resource, bytes, program)),
        };
        return ([.. files, (Fp32FileName(plan), bytes)], execution with { Variants = variants });
    }

    /// <summary>The fp32 variant is embedded only while it is at most this many times the int8 program…</summary>
    private const long MaxFp32VariantGrowth = 2;

    /// <summary>…or smaller than this (small models: the variant costs little and runs faster without VNNI).</summary>
    private const long MaxFp32VariantBytes = 8L << 20;

    /// <summary>Whether the model carries INT8 arithmetic (our QDQ or dynamic quantization output).</summary>
    private static bool IsQuantized(OnnxModel model) =>
        model.Graph.Nodes.Any(n => n.OpType is "QuantizeLinear" or "DynamicQuantizeLinear" or "MatMulInteger" or "QLinearConv" or "QGemm");

    private static ManifestCompiledProgram Describe(string resourceName, byte[] bytes, KernelProgram program) =>
        new(resourceName, bytes.LongLength, program.Steps.Count,
            program.Steps.Select(s => s.Kind.ToString()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList())
        {
            Schedule = ScheduleText.Format(program),
        };

    /// <returns>
    /// The files, the execution entry, and when <paramref name="fullSize"/> asks for it (only the
    /// fp32-variant rule needs it: it serializes the whole program once more) the program's size
    /// with all its weights; else 0.
    /// </returns>
    private static (IReadOnlyList<(string FileName, byte[] Bytes)> Files, ManifestExecution Execution, long FullSize) CompileOne(OptimizationPlan plan, OnnxModel model, byte[] modelBytes, bool fullSize)
    {
        CompileResult result;
        try
        {
            result = KernelCompiler.Compile(model);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A compiler defect must not fail a build whose ONNX Runtime path is fine.
            result = new CompileResult(null, [new UnsupportedNode(model.Graph.Name, "Graph", $"the kernel compiler failed: {e.GetType().Name}: {e.Message}")]);
        }

        using var program = result.Program;
        if (program is null)
        {
            var reasons = result.Unsupported.Select(u => u.ToString()).Distinct(StringComparer.Ordinal).ToList();
            var operators = result.Unsupported.Select(u => u.OpType).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            return ([], new ManifestExecution(["OnnxRuntime"], null, reasons) { NotCompiledOperators = operators }, 0);
        }

        var bytes = ProgramBytes.Of(program, modelBytes);
        var compiled = Describe(ResourceName(plan.ResourceName), bytes, program);
        return ([(FileName(plan), bytes)], new ManifestExecution(["OnnxRuntime", "Compiled"], compiled, []), fullSize ? program.ToBytes().LongLength : 0);
    }
}

using System.ComponentModel;
using System.Threading;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Optimizer.Build.Tasks.Diagnostics;
using Optimizer.Build.Tasks.Planning;
using Optimizer.Engine.Supervision;

namespace Optimizer.Build.Tasks.Engine;

/// <summary>
/// Runs the engine on one plan and judges that run on its own: its own exit code and its own
/// output decide, never what earlier models logged (ToolTask turned a later model's exit code 0
/// into -1 once any error had been logged). Every line the engine prints is logged, so each
/// model's coded diagnostics show; a run that fails without one gets OPT1021, a crash OPT1080
/// with the stage the engine was in, a run past its limit OPT1023.
/// </summary>
internal sealed class EngineRunner
{
    private readonly DiagnosticLog _diagnostics;
    private readonly TaskLoggingHelper _log;
    private readonly IBuildEngine _buildEngine;
    private readonly string _host;
    private readonly string _engineAssembly;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _environment;
    private readonly WaitHandle _cancelled;

    public EngineRunner(DiagnosticLog diagnostics, IBuildEngine buildEngine, string host, string engineAssembly,
        IReadOnlyList<KeyValuePair<string, string>> environment, WaitHandle cancelled)
    {
        _diagnostics = diagnostics;
        _log = diagnostics.Log;
        _buildEngine = buildEngine;
        _host = host;
        _engineAssembly = engineAssembly;
        _environment = environment;
        _cancelled = cancelled;
    }

    /// <summary>True when the engine exited with 0 and reported no error for this plan.</summary>
    /// <param name="declarers">Who declared the model (<see cref="SharedPlan.Declarers"/>), named in the engine's
    /// summary line (<see cref="SummaryLineDeclarers"/>), so the build output names the class as well as the model file.</param>
    /// <param name="printed">Also given every line the engine printed, after it was logged (optional).</param>
    public bool Run(OptimizationPlan plan, int limitSeconds, string declarers, Action<string>? printed = null)
    {
        // The engine overwrites this file with what it is doing, so a crash can be named (EngineCrash).
        var stageFile = Path.Combine(Path.GetTempPath(), "optimizer-stage-" + Guid.NewGuid().ToString("N") + ".txt");
        var environment = new List<KeyValuePair<string, string>>(_environment)
        {
            new(EngineCrash.StageFileVariable, stageFile),
        };
        var reportedError = false;
        var yielded = _buildEngine as IBuildEngine3;
        yielded?.Yield();
        try
        {
            var outcome = EngineProcess.Run(
                _host, EngineCommandLine.For(_engineAssembly, plan.PlanPath), environment,
                TimeSpan.FromSeconds(limitSeconds), _cancelled,
                // Canonical "file(line,col): error OPT1234: ..." lines become real errors, with their help links.
                line =>
                {
                    reportedError |= _diagnostics.EngineLine(SummaryLineDeclarers.Insert(plan, line, declarers));
                    printed?.Invoke(line);
                });
            return Judge(plan, outcome, reportedError, EngineCrash.ReadStage(stageFile), limitSeconds);
        }
        catch (Win32Exception e)
        {
            Error(DiagnosticCodes.EngineNotFound, plan,
                $"The optimizer engine could not be started with '{_host}' for '{plan.ModelPath}': {e.Message}. Install the .NET SDK, or set OptimizerDotnetHostPath to a dotnet host.");
            return false;
        }
        finally
        {
            yielded?.Reacquire();
            TryDelete(stageFile);
        }
    }

    private bool Judge(OptimizationPlan plan, EngineOutcome outcome, bool reportedError, string? stage, int limitSeconds)
    {
        switch (outcome.Ending)
        {
            case EngineEnding.Cancelled:
                _log.LogMessage(MessageImportance.High, $"{plan.ModelPath}: the build was cancelled; the optimizer engine was stopped.");
                return false;
            case EngineEnding.TimedOut:
                var where = string.IsNullOrWhiteSpace(stage) ? "" : $" (it was {stage})";
                Error(DiagnosticCodes.EngineTimedOut, plan,
                    $"The optimizer engine did not finish '{plan.ModelPath}' within its limit of {limitSeconds} s{where} and was stopped with every process it started. " +
                    $"If the model is simply large, raise the limit: <{EngineTimeLimit.Property}>seconds</{EngineTimeLimit.Property}> in the project, or {EngineTimeLimit.ItemMetadata}=\"seconds\" on its <OnnxModel> item.");
                return false;
        }

        var crash = EngineCrash.Describe(outcome.ExitCode, stage);
        if (crash is not null)
        {
            _diagnostics.Error(EngineCrash.Code, plan.DeclaredAt, $"{plan.ModelPath}: {crash}");
            return false;
        }

        if (outcome.ExitCode != 0 && !reportedError)
        {
            Error(DiagnosticCodes.EngineFailed, plan,
                $"The optimizer engine exited with code {outcome.ExitCode} while optimizing '{plan.ModelPath}' without saying why. Build with -v:n to see its output; the plan is {plan.PlanPath}.");
        }

        return outcome.ExitCode == 0 && !reportedError;
    }

    private void Error(string code, OptimizationPlan plan, string message) => _diagnostics.Error(code, plan.DeclaredAt, message);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover stage file in the temp folder is harmless.
        }
    }
}

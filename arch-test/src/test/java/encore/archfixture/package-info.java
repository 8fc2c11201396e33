/**
 * Planted violations of the architecture rules (test sources only, never in the main import): each class breaks one
 * rule on purpose, and ArchitectureTest.every_rule_reports_its_planted_violation checks that the rule says so. The
 * classes sit in sub-packages named {@code archfixture} of the real packages so that the very rule objects used on
 * the main code apply to them unchanged.
 */
package encore.archfixture;

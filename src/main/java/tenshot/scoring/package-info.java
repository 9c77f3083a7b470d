/** The Jittor 2024 style-transfer metrics and scorecards on DJL. Plain DJL only (PackageBoundaryTest). */
package tenshot.scoring;

/**
 * ERCOT's Market Information System on the simulator (`/ercot` = `simulatorUrls().ercotMis`),
 * no key, as MIS has none:
 *
 *   GET /ercot/misapp/servlets/IceDocListJsonWS?reportTypeId=12331|12301    the document list (JSON)
 *   GET /ercot/misdownload/servlets/mirDownload?doclookupId={DocID}          one document: a zip holding one CSV
 *
 * Report 12331 (NP4-190-CD, `ercot.dam_spp`) has one document per delivery day, 12301 (NP6-905-CD,
 * `ercot.rt_spp`) one per 15-minute interval; each in a `_csv` and an `_xml` variant, as MIS lists
 * them (the `_xml` zips are listed but not simulated: their download answers 404). The list holds
 * the documents published by now and not yet expired, newest first; a DocID not published yet, or
 * expired, answers 404. Bytes: formats/ercot.ts.
 *
 * | document | published (default) | listed until | why |
 * |---|---|---|---|
 * | DAM delivery day D | D-1 12:51 Central (`ERCOT_SCHEDULE.damPublishedAtWallMs`) | the end of its publication day + 31 days | the fixture's list: the 06-12 document posted 06-11 12:51:32, ExpiredDate = posting date + 31 days, the list back to 05-11 |
 * | RT interval | 2 min after its end (`rtPublishedAfterEndMs`) | the end of its publication day + 3 days | the fixture: interval ending 13:30, posted 13:32:01; MIS keeps RT documents "a few days" (not measured) |
 *
 * These match the connector's `ERCOT_DATASETS` publishedUntil (fetch/ercot.ts).
 *
 * Catalogue: ERCOT's settlement points as the real files of June 2026 price them, 1,111 names
 * (`DEFAULT_ERCOT_NODE_COUNT`): 7 hubs (HB_*), 8 load zones (LZ_*), 4 DC ties (DC_E/L/N/R) and
 * 1,092 resource nodes (RN, PCCRN, LCCRN, PUN). Every name of the fixtures is there, with the
 * type the RT file gives it; a larger count adds generated resource nodes in ERCOT's style
 * (`CEDRIO_RN`, `MARVAL_ALL`, `BIGSAN_CC1`), a smaller one keeps the 19 aggregates and an even
 * spread of the resource nodes. The load zones and DC ties also have a `<name>_EW` node, the
 * energy-weighted price of the RT file (the parser's naming).
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate'
import { mulberry32 } from '@carbon/demo-data'
import type { NodeType } from '@carbon/schemas'
import { type Catalogue, laterCatalogue } from '../catalogue.ts'
import type { FailureMode } from '../failures.ts'
import {
  centralDayOf,
  centralInstants,
  centralMidnight,
  type ErcotDoc,
  ercotConstructedName,
  ercotCsvName,
  ercotDamCsv,
  ercotDayHours,
  ercotDocListJson,
  type ErcotPoint,
  type ErcotPointCode,
  type ErcotReport,
  ERCOT_REPORTS,
  ercotRtCsv,
} from '../formats/ercot.ts'
import type { PriceModel } from '../prices.ts'
import { DAY, HOUR, MINUTE } from '../time.ts'
import { zipBytes } from '../zip.ts'
import type { MarketRoute, SimAnswer, SimRequest } from './types.ts'

/** When MIS posts each document and how long it lists it. */
export const ERCOT_SCHEDULE = {
  /** DAM delivery day D: posted on D-1 at this Central wall-clock time (ms after D-1 00:00), 12:51. */
  damPublishedAtWallMs: 12 * HOUR + 51 * MINUTE,
  /** RT interval: posted this long after its end. */
  rtPublishedAfterEndMs: 2 * MINUTE,
  /** Days after the day of posting a document stays listed (and downloadable), to the end of that day. */
  keepDays: { dam: 31, rt: 3 },
} as const

/** Settlement points of the default catalogue: the 1,111 of the real June 2026 files. */
export const DEFAULT_ERCOT_NODE_COUNT = 1111

/** A settlement point no catalogue holds (the `unknown-node` failure). */
export const ERCOT_UNKNOWN_NODE = 'NEWSOLAR_RN'

/** The real settlement points by type (NP6-905-CD 2026-06-11 13:30; the DAM file of 06-12 prices the same 1,111). */
const REAL: Readonly<Record<ErcotPointCode, string>> = {
  HU: `
    HB_HOUSTON HB_NORTH HB_PAN HB_SOUTH HB_WEST
  `,
  AH: `
    HB_HUBAVG
  `,
  SH: `
    HB_BUSAVG
  `,
  LZ: `
    LZ_AEN LZ_CPS LZ_HOUSTON LZ_LCRA LZ_NORTH LZ_RAYBN LZ_SOUTH LZ_WEST
  `,
  LZ_DC: `
    DC_E DC_L DC_N DC_R
  `,
  RN: `
    7RNCHSLR_ALL A4_DGR1_RN A4_DGR2_RN ABINDUST_RN ADL_RN AEEC AE_RN AGUAYO_UNIT1 AJAXWIND_RN ALAMO_ST_RN ALGOD_ALL_RN
    ALP_BESS_RN ALVIN_RN AMADEUS_ALL AMAD_ESS_RN AMISTAD_ALL ANACACHO_ANA ANCHOR_ALL ANDMDSLR_ALL ANEM_ESS_RN ANG_ALL
    ANOL_ESS_RN ANSON1_ALL ANTL_ESS_ES1 APPALOSA_ALL APPLE_ESR_RN AQLA_WND_RN AQUI_ALL ARAGORN_RN ARY_BESS_RN ASCK_SLR_RN
    ASTRA_RN ATK_ATKINSG7 AURO_SLR_RN AUSTPL_ALL AVIAT_ALL AVIL_ESS_RN AZSP_SLR_RN AZURE_RN AZ_ALL BAC_RN_ALL BAFFIN_ALL
    BAIRDWND_ALL BAKE_RN_ALL BARROW_ALL BART_SLR_RN BATCAVE_RN BAYC_BESS_RN BBREEZE_1_2 BCATWD_WD_1 BCH_RN BCK_RN
    BCNV2_ES_RN BCNV_RN BELM_SLR_RN BEXAR_ES_RN BIGSAMWD_RN BIGSTAR_ALL BIRD_ESR1 BKSL_RN BLACKJAK_RN BLACKSPR_RN
    BLSMT1_5_A_6 BLUEJAY_RN BLVN_RN BOARDCRK_ALL BOCO_ESS_RN BOOTLEG_UN1 BORDAS_345 BRANDON_RN BRAUNIG_VHB1 BRAUNIG_VHB2
    BRAUNIG_VHB3 BRAZ_WND_ALL BRHEIGHT_RN BRIGHTSD_U1 BRISCOE_WIND BRPANGLE_RN BRPMAGNO_RN BRP_BRAZ_RN BRP_DIKN_RN
    BRP_LOOP_RN BRP_LOP1_RN BRP_PBL1_RN BRP_PBL2_RN BRP_RN_UNIT1 BRP_SWNY_RN BRP_ZPT1_RN BRP_ZPT2_RN BRTSW_BCW1
    BR_ARROW_ALL BR_VHB6CT5_6 BR_VHB6CT7_8 BSS_U1 BTM_ALL BUCHAN_ALL BUCKTHRN_RN BUDA_RN BUFF_GAP_ALL BULLCRK_1_2
    BUZI_SLR_RN BYNM_SLR_RN BYP_RN BYRDR_ES_ALL B_D_B_DAVIG1 CABEZON_ALL CACH_ESS_RN CALAVER_JKS1 CALAVER_JKS2
    CALAVER_JTD1 CALAVER_JTD2 CALAVER_OWS1 CALAVER_OWS2 CALHOUN_ALL CALLAHA_WND1 CAMWIND_RN CANYONWD_ALL CAPRIDG4_CR4
    CAPRIDGE_ALL CARA_ESS_RN CARBN_BSP_1 CARN_ESS_RN CARRIZO_ESR1 CARTWHL_RN CASL_GAP_UN1 CAST_ESS_RN CATARINA_B1
    CBY_CBY_G1 CBY_CBY_G2 CDRVLE_U1_RN CEDROHI_CHW1 CEDRVALE_RN CFLATS_UNIT CFLAT_ES_RN CHALUP_ALL CHAL_SLR_RN CHAMON_UN1
    CHAMON_UN2 CHAR_SLR_RN CHIL_SLR CHISMGRD_RN CISC_RN CITRUSCY_RN CITYVICT_ALL CLO_RN CLT_RN CMPD_SLR_RN CNLY_ESS_RN
    CNTRY_RN CNTYRDS_RN CN_BRKS_UNT1 COL_COLETOG1 CONIGLIO_RN CONTINEN_RN CORALSLR_ALL CORAZON_RN COTPLNS_RN COTTON_PAP2
    COTULLA_RN COYANOSA_RN COYOTSPR_AGR COYOTSPR_RN CPSES_UNIT1 CPSES_UNIT2 CRANELL_ALL CRAWFISH_RN CROSSETT_ALL
    CROSSTRL_RN CRWN_SLR_UN1 CR_RN CSC_CSECG1_2 CST1_SLR_RN CST2_SLR_RN CS_RN CTW_RN DAG_ALL DANSBY_ALL DAN_ALL DA_BESS
    DA_BESS2 DC2SES_ALL DECKER_GT DENISON_G1_2 DERMOTT_ALL DESN_ESS_RN DGFS_ESR_RN DIBOL_RN DILEOS_UNIT1 DIVR_SLR_RN
    DKNS_ESS_RN DMA_RN DORA_SLR_RN DOW_61_2_63 DOW_64 DOW_81_2_84 DOW_G37_G35 DOW_G66_ST65 DOW_G67 DOW_G96_ST95
    DRAK_ESS_RN DRCK_SLR_RN DRYFRIO_RN DSWL_BES1 EBELLS_UNIT1 EBNY_ESS_RN ECLIPSE_UN1 EIFSLR_UNIT1 ELB_ELBCREEK
    ELECTRAW_1_2 ELMCRK_RN ELM_ST_RN ELM_ST_RN2 ELSAUZ_ALL ELSA_ESR_RN ELS_RN_1 ELZA_SLR_RN EL_RAYO_ALL EMPCT_RN
    ENDPARK_ESS1 ERKA_SLR_RN ERSL_RN ESCONDID_ESR ESTONIAN_ALL EUNICE_ALL EVLN_ESS_RN EXGNSND_RN EXGNWTL_1 EXN_14 EXN_1_3
    EXN_4 EXN_8 EXN_9_13 E_BLACK_RN E_HARRIS_RN FAGUSSLR_RN FALFUR_RN FALFUR_RN2 FAL_FALCONG1 FAL_FALCONG2 FAL_FALCONG3
    FAULKNER_RN FEGC_RN FENCESLR_ALL FERD_ESS_RN FERMI_ALL FILESSLR_PV1 FIVEWSLR_ALL FLCNS_UNIT1 FLCNS_UNIT2 FLCNS_UNIT3
    FLOWERII_RN FLTBES1 FLTCK_SSI FLUVANNA_1_2 FLVABES1_ESR FOARDCTY_ALL FORTMA_RN FOXTROT_ALL FO_FORMOSA11 FO_FORMOSA12
    FO_FORMOSG8 FPPYD_FPP_G1 FPPYD_FPP_G2 FPPYD_FPP_G3 FRMRSVLW_RN FRMR_BS2_RN1 FRYE_SLR_ALL FTDUNCAN_RN FTWIND_UNIT1
    FWLR_SLR_1 GAIA_SLR_RN GALO_RN1 GAMBIT_RN GARC_BESS_RN GBY_GT GID_GIDEONG1 GID_GIDEONG2 GID_GIDEONG3 GIGA_ESS_RN
    GKS_BESS_RN GOA_GOATWIND GODY_SLR_RN GOLINDA_UN1 GOMZ_RN GOODNIT1_ALL GOODWIN_ESR GPASTURE_ALL GRANDVW1_A_B
    GRAN_SLR_RN GRDNE_ESR_RN GREASWOD_ALL GREGORY_RN GRIF_TRL_RN GRIM_SLR_RN GRND_SLR_RN GRSES_UNIT1 GRSES_UNIT2
    GRYH_SLR_RN GUNMTN_NODE GWEC_G1 GZ_RN HALO_RN1 HAMI_BESS_RN HARLIN_1_RN HART_WND_RN HAYSEN1_2 HAYSEN3_4 HDNLAKES_RN
    HEADCAMP_RN HEARN_RD_RN HELIOS_RN HEN_RN HHGT_KENDAL HHOLLW2_WND1 HHOLLW3_WND1 HHOLLW4_WND1 HICK_G1_G2 HI_LONEB_RN1
    HI_LONE_ALL HKSN_SLR_ALL HLSES_UNIT3 HLSES_UNIT4 HLSES_UNIT5 HLY_RN HMNG_ESS_RN HNY_COMB_RN HOLCOMB_RN1 HOLSTEIN_ALL
    HOLZ_SLR_RN HOL_ALL HONEY_WD_RN HOPKNSLR_ALL HORSCR_RN HORSECRK_RN HOUSEMTN_RN HOVEY_GEN HRBESS_BESS HRFDWIND_ALL
    HRMS_SLR_RN HRNT_SLR_RN HRZN_SLR_UN1 HV_BESS1_RN HWF_HWFG1 HWY6_RN HYDR_ESS_RN H_HOLLO_WND1 IMP_RN1 INDNENR_1_RN
    INDNENR_2_RN INDNNWP_RN IND_INADALE1 INKS_INKS_G1 INRT_W_ALL JADE_SLR_ALL JAD_RN JAG_SLR_RN JAR_RN JAY_RN_1 JC_BAT_RN
    JDKNS_RN JKLP_SLR_RN JUNCTION_RN JUNG_SLR_RN JUNORTH_RN JUNO_ALL K2_DGR1_RN K2_DGR2_RN KARAKAW1_1 KARAKAW2_1 KEECHI_U1
    KEG_RN KELAMSL_U1 KEO_KEO_SM1 KINGE_ALL KINGW_ALL KNAPP_RN LACASAWD_RN LACY_CRK_ALL LAMESASLR_G LANTANA_RN LAPETUS_U1
    LARDVFTN_G4 LARDVFTN_G5 LASSO_GEN LAUR_BESS_RN LBRA_BES1 LEAKEY_RN LEG_LEG_G1 LEG_LEG_G2 LEONLCPCT1_2 LEONLCPCT3_4
    LEON_SLR_RN LFSTH_RN LGDRAW_S_ALL LGD_LANGFORD LGW_UNIT_ALL LHM_CVC_G4 LHORN_N_U1_2 LHSES_UNIT1 LHSES_UNIT2 LIGSW_RN
    LIG_RN LILY_RN LK_RN LMAJADAS_ALL LMO_ESR_RN LMWD_SLR_RN LNCRK_ALL LONESTAR_RN LONEWOLF_ALL LON_RN1 LOWR_ESS_RN
    LUCKYBLU_RN LV1A_LV1B LV3_RN LV3_UNIT1 LV4_UNIT_1 LV5_UNIT1 LYNX_ESS_RN LYSSY_RN L_FRE_ESR_RN MADERO_RN MAG_RN
    MAINLAND_RN MAND_SLR_RN MARBFA MARIAH_ALL MAR_MARSFOG1 MAR_MARSFOG2 MAR_MARSFOG3 MASSENGL_G6 MASSENGL_G7 MASSENGL_G8
    MAVCRK_W_ALL MCDLD_FCSBW1 MCLNSLR_RN MCSES_UNIT6 MCSES_UNIT7 MCSES_UNIT8 MDANP_CT1_2 MDANP_CT3_4 MDANP_CT5_6 MDWPK_RN
    MEDILA_RN MEDINA1_RN MERCURY_ALL MESQCRK_ALL MESQUITE_RN MESQUITE_RN2 MESTENO_RN MGSES_CT123 MGSES_CT456 MIAM1_G1_G2
    MIDP_SLR_RN MIDWY_RN MILTON_RN MIL_MILG1_2 MIL_MILG345 MIRAGE_G1 MIRASOLE_GEN MISAE_GEN_RN MLB_SLR_RN MLSES_UNIT1
    MLSES_UNIT2 MLSES_UNIT3 MNWL_BESS_RN MONTECR1_RN MONT_WND_RN MOORE_FL_RN MOZART_WIND1 MRKM_SLR_RN MROW_SLR_RN
    MUENSTER_RN MUSTNGCK_ALL MU_RN MV_VALV4_RN MWEC_G1 MYRY_BES2_RN MYRY_ESR_RN MYR_ALL NACPW_UNIT1 NBOHR_RN NCARBIDEG8
    NCARBIDE_1_7 NCO_RN NEBULA_RN NEDIN_RN NFAL_RN NF_BRP_RN NHKY_SLR_RN NOBLESLR_ALL NOVA1SLR_ALL NOVA2S_UNIT1
    NRTN_SLR_RN NWF_NWF1 N_AL_BESS_RN N_MRD_ESR_RN OBERON_U1 ODESW_RN OGSES_1 OGSES_2 OGS_SLR_RN OLIN_OLING_1 OLIN_OLING_2
    OLIN_OLING_3 OLIN_OLING_4 OLMITO_RN OLNEYTN_AGR1 OLNEYTN_RN ORIANA_RN OR_BESS_RN OUTP_SLR_RN OWF_OWF OXY_OXY_CCG1
    OYST_SLR_RN P2_DGR1_RN P2_DGR2_RN PAD1_ESS_RN PAD2_ESS_RN PALACIOS_RN PALE_ESS_EN PALMVIEW_RN PALMWI_UNIT1 PAP1_PAP1
    PAR_RN PAULN_RN PAVLOV_BT_RN PAVO_ESS_ALL PB2SES_CT1 PB2SES_CT2 PB2SES_CT3 PB2SES_CT4 PB2SES_CT5 PCT_RN PC_NORTH_1
    PC_SOUTH_ALL PDRA_SLR_RN PEARSALL_RN PEARSA_1_24 PENA_ALL PERE_SLR_RN PEY_RN PH1_UNIT1_2 PH2_U1_U2 PHILLWND_ALL
    PHOEBE_ALL PHOENIX_RN PHO_ALL PINEFRST_RN PINN_SLR_RN PIN_BESS_RN PIONR_DJ_RN PIRATE_RN PISG_RN_ALL PITSDD_UNIT1
    PLATINUM_RN PLN_ALL PNPI_GT2_RN PORTSL_UNIT1 POTEETS_RN POTSVIL_RN PPEC_RN PRCRK_RN PRID_RN PROSPERO_ALL PRO_RN
    PRSPERO2_ALL PR_PR_ALL PTLBES_BESS1 PYOTE_RN PYR_PYRON1 Q1_DGR1_RN QUEEN_BA_RN QUEEN_SL_RN RAB_G1-8 RADN_SLR_ALL
    RAMBLER_UNIT RANCHERO_ALL RAT_RN_1 RBN_BESS1 RDCAN_RDCNY1 REDBARN_RN REDFISH_ALL REDGATE_RN RELOJ_ALL REROCK_ALL
    RHESS2_ESS1 RIGGIN_UNIT1 RIOG_ESR2_RN RIOG_ESR_RN RIPPEY_ALL RN_APOGEE RN_BY_ESR1 RN_DEC_AGR_A RN_DEC_AGR_B
    RN_DEC_AGR_C RN_DEC_AGR_D RN_ECEC_HOLT RN_LNP_SLR RN_OCI_ALAMO RN_PAD3_ESS RN_QTUM_SLR RN_RHN_ESR RN_RTS1 RN_SOLC_SLR
    RN_SR_WIND1 RN_TOSBATT ROSELAND_ALL ROUTE66_RN ROW_ALL RPUBRDS_RN RRANCHES_ALL RRC_WIND_ALL RSK_RN RTLSNAKE_BT
    RUSSEKST_RN RVN_RN RVRVLYS_ALL SADLBACK_RN SADLBCK_AGR1 SAH_RN SALVTION_GEN SAMSON_ALL SANDHSYD1_2 SANDHSYD3_4
    SANDHSYD6_7 SANDLAKE_RN SANTACRU_ALL SAN_SANMIGG1 SBEAN_BESS SBE_RN_1 SC2SES_UNIT1 SCES_UNIT1 SCLP_SCLPC_1
    SCLP_SCLPC_2 SCLP_SCLPC_3 SCLP_SCLPC_4 SCSES_UNIT2 SENATEWD_1 SEVNF_ES_RN SE_EDINB_RN SGM_SIGNALMT SGSA_DGR
    SG_BES_BESS1 SHAFFER_ALL SHAMROCK_RN SHANNONW_RN SHAW_SLR_RN SHEEPCRK_1 SIG_SLR_RN SIL_SILAS_10 SIRIUS_UNIT1
    SJS_SJS_G1 SJS_SJS_G2 SKY1 SLCN_ESS_ALL SLK_BESS_RN SLTFRK_UN1_2 SMTH_ESS_RN SNY_BESS_RN SOLARA_UNIT1 SPARTA_ALL
    SPLAIN1_RN SPLAIN2_RN SPNC_SPNCE_4 SPNC_SPNCE_5 SPTX12B_RN SP_RN SROSA_ESR_RN SRWE1_UNIT1 SSPURT_WIND1 STADIUM_RN
    STAGHORN_RN STAM_SLR_ALL STAR_SLR_RN STEAM_ENG123 STEA_STEAM_1 STEA_STEAM_2 STEA_STEAM_3 STELLA_RN STLHS_SL_RN
    STP_STP_G1 STP_STP_G2 STRATEGC_RN STRG_SLR_ALL STWF_T1 SUNVASLR_ALL SWEC_G1 SWEETWN2_2_4 SWEETWN3_3 SWEETWND_1
    SWFT_SLR_RN SWOOSE1_U1 SWOOSEII_RN SWTWN4_WND45 SWT_BESS_RN SYBR_SLR_RN S_HILLS_RN TAHOKA_ALL TANZ_ESS_RN TAV_RN
    TAYGETE2_ALL TAYGETE_ALL TBWF_ES_BES1 TC_GTG2_RN TC_TCHP1 TDWLPR_1_RN TGS_GT01 TGW_T1_T2 THREEW_S_RN THW_THWGT5X
    THW_THWGT_1 TIMPP_RN1 TIMPP_RN2 TIMPP_RN3 TIMPP_RN4 TI_SOLAR_ALL TKWSW_CHAMP TKWSW_ROSCOE TMPP_RN3 TMPP_RN4 TNFS_RN
    TNG_RN TNP_TNP_O_1 TNP_TNP_O_2 TNS_SLR_ALL TOPAZ_ALL TORR_ALL TORT_ESS_RN TOYAH_RN TRBT_SLR_RN TREB_SOLAR1 TRENT_TRENT
    TRINITY_ALL TRIPBUT1_RN TROJ_SLR_RN TRSES_UNIT6 TRUENO_ALL TRUSGILL_RN TSECA_ES_RN TTRSW_RN TTWEC_G1 TUL_SLR_ALL
    TURQ_BESS1 TV_RN TYLRWIND_RN TYNAN_RN TYSN_SLR_RN T_CK_GT2_RN T_CK_GT3_RN UCC_UCC_C_2 ULYS_SLR_RN UTOPIA_RN V2_DGR1_RN
    V2_DGR2_RN V2_DGR3_RN V4_DGR1_RN VANCOURT_RN VENADO_ALL VERAWIND_ALL VERTIGO_UN1 VERT_ESS_RN VICTPORT_RN VISION_RN
    VORT_ALL_RN WAKEWE_ALL WAL_RN WAP_WAPGT_1 WAP_WAP_G1 WAP_WAP_G2 WAP_WAP_G3 WAP_WAP_G4 WAP_WAP_G5 WAP_WAP_G6 WAP_WAP_G7
    WAP_WAP_G8 WAYMARK_RN WEBBER_WS_T1 WEC_WECG1 WES_ALL WFTANK_ESS1 WGU_RN WHITE_PT_UN1 WHMESA_U1 WHTTAIL_WR1 WH_WIND_ALL
    WIG_BESS_RN WILDWIND_ALL WIPOPA_1_2 WIPOPA_3_4 WIR_WIRTZ_G1 WIR_WIRTZ_G2 WLTC_ESR_RN WL_RANCH_RN WNDTS2_UNIT1
    WND_WHITNEY WOODWRD1_RN WOODWRD2_RN WOV_BESS_RN WRSBES_BESS1 WR_RN WZRD_ESS_RN W_HRL_ESR_RN W_PECO_UNIT1 X1_DGR_RN
    X443ESRN YAPN_SLR_RN YNG_WND_ALL Z0_DGR1_RN Z0_DGR2_RN Z5_DGR1_RN ZIER_SLR_ALL
  `,
  PCCRN: `
    AMO_AMOCO_1 AMO_AMOCO_2 AMO_AMOCO_5 AMO_AMOCO_G1 AMO_AMOCO_G2 AMO_AMOCO_G3 AMO_AMOCO_S1 AMO_AMOCO_S2 BASTEN_CCU
    BOSQ_BSQSU_5 BOSQ_BSQS_12 BOSQ_BSQS_34 BRA_AVR1_CT2 BRA_AVR_CST1 BTE_BTE_G1 BTE_BTE_G2 BTE_BTE_G3 BTE_BTE_G4 BVE_UNIT1
    BVE_UNIT2 BVE_UNIT3 BYU_BYU_1 BYU_BYU_12 BYU_BYU_34 BYU_G4_RN B_DAVIS_3 B_DAVIS_4 B_D_B_DAVIG2 CAL_CALGT1 CAL_CALSTG1
    CBECII_89 CBECII_CT7 CBEC_ALL CBY4_ALL CCEC_GT1 CCEC_GT2 CCEC_ST1 CHEDPW_GT2 CHE_LYD CHE_LYD2 CVC_CVCG1_5 CVC_CVC_G2
    CVC_CVC_G3 DDPEC_GT1 DDPEC_GT2 DDPEC_GT3 DDPEC_GT4 DDPEC_GT6 DDPEC_ST1 DIB_DIB_G1 DIB_DIB_G2 DIB_DIB_G3 DIB_DIB_G4
    DUKE_GST1CCU DUKE_GT2_CCU ETCCS_CCU FERGCC_GT1_1 FERGCC_GT2_3 FERGCC_ST1_5 FO_FORMOSG1 FO_FORMOSG10 FO_FORMOSG13
    FO_FORMOSG14 FO_FORMOSG15 FO_FORMOSG2 FO_FORMOSG3 FO_FORMOSG4 FO_FORMOSG5 FO_FORMOSG6 FO_FORMOSG7 FO_FORMOSG9
    FREC_1_CCU FREC_2_CCU FRNYPP_1_CCU FRNYPP_2_CCU FRONT_EC_RN1 FRONT_EC_RN2 FRONT_EC_RN3 FTR_FTR_G1_4 GUADG_CCU1
    GUADG_CCU2 INGLCOSW_STG INGLCOS_CTG1 INGLCOS_CTG2 JACKCNTY_CT1 JACKCNTY_CT2 JACKCNTY_STG JCKCNTY2_CT3 JCKCNTY2_CT4
    JCKCNTY2_ST2 LGE_LGE_GT1 LGE_LGE_GT2 LGE_LGE_STG LOS_LOSTPGT1 LOS_LOSTPGT2 LOS_LOSTPST1 LPCCS_CT11 LPCCS_CT12
    LPCCS_CT21 LPCCS_CT22 LPCCS_UNIT1 LPCCS_UNIT2 NED_NEDIN_G1 NED_NEDIN_G2 NED_NEDIN_G3 NUE_NUECESG7 NUE_NUECESG8
    NUE_NUECESG9 OECCS_1 OECCS_2 PANDA_S_CT1 PANDA_S_CT2 PANDA_S_ST1 PANDA_T1_CT1 PANDA_T1_CT2 PANDA_T1_ST1 PANDA_T2_CT1
    PANDA_T2_CT2 PANDA_T2_ST1 PSA_PSA_G1 PSA_PSA_G2 PSA_PSA_G3 PSA_PSA_G4 PSA_PSA_G5 PSA_PSA_G6 PSA_PSA_G7 PSG_PSG_GT2
    PSG_PSG_GT3 PSG_PSG_ST1 QALSW_ALL RAYB_G78910 RIONOG_CT1 RIONOG_CT2 RIONOG_CT3 RIONOG_ST1 RN_BYU_G8 SANDHSYD_5AC
    SIL_SILAS_6 SIL_SILAS_9 TEN_CT1_STG TGCCS_ALL THW_1_CCU THW_2_CCU TNSKA_CCU TXCTY_CTA TXCTY_CTB TXCTY_CTC TXCTY_ST
    VIC_VICTORG5 VIC_VICTORG6 VLSES_UNIT3 WCPP_CT1 WCPP_CT2 WCPP_ST1 WFCOGEN_13 WFCOGEN_24 WHCCS2_4 WHCCS2_5_6
    WHCCS_CT1_ST WHCCS_CT2
  `,
  LCCRN: `
    AMOCOOIL_CC1 AMOCOOIL_CC2 BASTEN_CC1 BOSQUESW_CC1 BOSQUESW_CC2 BRAUNIG_CC1 BTE_CC1 BVE_CC1 BYU_CC1 B_DAVIS_CC1 CAL_CC1
    CBECII_CC3 CBEC_CC1 CBEC_CC2 CBY4_CC1 CCEC_CC1 CHE_CC1 CVC_CC1 DDPEC_CC1 DIB_CC1 DUKE_CC1 ETCCS_CC1 FERGCC_CC1
    FORMOSA_CC1 FORMOSA_CC2 FREC_CC1 FREC_CC2 FRNYPP_CC1 FRNYPP_CC2 FRONT_EC_CC1 FTR_CC1 GUADG_CC1 GUADG_CC2 INGLCOSW_CC1
    JACKCNTY_CC1 JCKCNTY2_CC1 KMCHI_CC1 KMCHI_CC2 LGE_CC1 LOSTPI_CC1 LPCCS_CC1 LPCCS_CC2 NEDIN_CC1 NUECES_B_CC1 OECCS_CC1
    OECCS_CC2 PANDA_S_CC1 PANDA_T1_CC1 PANDA_T2_CC1 PSA_CC1 PSG_CC1 QALSW_CC1 QALSW_CC2 RAYBURN_CC1 RIONOG_CC1
    SANDHSYD_CC1 SILASRAY_CC1 TEN_CC1 TGCCS_CC1 THW_CC1 THW_CC2 TNSKA_CC1 TXCTY_CC1 VICTORIA_CC1 WCPP_CC1 WFCOGEN_CC1
    WHCCS2_CC2 WHCCS_CC1
  `,
  PUN: `
    AMOCO_PUN1 AMOCO_PUN2 BTE_PUN1 BTE_PUN2 BYU_PUN1 BYU_PUN2 BYU_PUN3 BYU_PUN4 CAL_PUN1 CAL_PUN2 CCEC_PUN1 CCEC_PUN2
    CHE_PUN1 CHE_PUN2 DIB_PUN1 DIB_PUN2 DOWGEN_PUN1 DOWGEN_PUN2 DOWGEN_PUN3 DOWGEN_PUN4 DOWGEN_PUN5 DOWGEN_PUN6 DUP_PUN1
    DUP_PUN2 DUP_PUN3 DUP_PUN4 EXN_PUN1 EXN_PUN2 EXN_PUN3 FORMOSA_PUN1 FORMOSA_PUN2 INGLCO_PUN1 INGLCO_PUN2 INGLCO_PUN3
    LHM_PUN1 LHM_PUN2 NCARBID_PUN1 NCARBID_PUN2 OXY_PUN1 OXY_PUN2 PSA_PUN1 PSA_PUN2 PSA_PUN3 PSA_PUN4 PSA_PUN5 SCLP_PUN1
    SCLP_PUN2 SCLP_PUN3 SCLP_PUN4 TC_PUN1 TC_PUN2 UCC_COG_PUN2
  `,
}

const AGGREGATES: readonly ErcotPointCode[] = ['HU', 'AH', 'SH', 'LZ', 'LZ_DC']
const RESOURCES: readonly ErcotPointCode[] = ['RN', 'PCCRN', 'LCCRN', 'PUN']
const NODE_TYPE: Readonly<Record<ErcotPointCode, NodeType>> = {
  HU: 'hub',
  AH: 'hub',
  SH: 'hub',
  LZ: 'zone',
  LZ_DC: 'zone',
  RN: 'generator',
  PCCRN: 'generator',
  LCCRN: 'generator',
  PUN: 'generator',
}
const words = (text: string) => text.split(/\s+/).filter(Boolean)
const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

const SYLLABLES = [
  'ABI', 'ALV', 'AMA', 'ANG', 'AUS', 'BAR', 'BAS', 'BEL', 'BIG', 'BLU', 'BOR', 'BRA', 'BUF', 'CAL', 'CED', 'CHA', 'COL',
  'COM', 'CON', 'COR', 'DEC', 'DEL', 'EAG', 'ELM', 'FLA', 'FOR', 'GIB', 'GRE', 'HAS', 'HAY', 'HEN', 'HOL', 'JAC', 'KEN',
  'LAM', 'LAR', 'LIM', 'LON', 'MAG', 'MAR', 'MES', 'MID', 'MON', 'NOR', 'ODE', 'PAN', 'PEC', 'QUI', 'RAN', 'RED', 'RIO',
  'ROS', 'SAN', 'SIL', 'SPR', 'STA', 'SWE', 'TAY', 'TRI', 'VAL', 'VIC', 'WAC', 'WES', 'WHI', 'WIL', 'WIN',
]

/** A generated resource node name in ERCOT's style and its type. */
function generatedPoint(u: () => number): { name: string; code: ErcotPointCode } {
  const pick = () => SYLLABLES[Math.floor(u() * SYLLABLES.length)] as string
  const stem = u() < 0.5 ? pick() + pick() : pick() + pick() + pick().slice(0, 2)
  const n = 1 + Math.floor(u() * 4)
  const r = u()
  if (r < 0.35) return { name: `${stem}_RN`, code: 'RN' }
  if (r < 0.5) return { name: `${stem}_ALL`, code: 'RN' }
  if (r < 0.6) return { name: `${stem}_ESS_RN`, code: 'RN' }
  if (r < 0.7) return { name: `${stem}_UNIT${n}`, code: 'RN' }
  if (r < 0.8) return { name: `${stem}_CC${n}`, code: 'LCCRN' }
  if (r < 0.9) return { name: `${stem}_${u() < 0.5 ? 'CT' : 'ST'}${n}`, code: 'PCCRN' }
  return { name: `${stem}_PUN${n}`, code: 'PUN' }
}

/** The catalogue plus its settlement points (sorted by name) with the nodes of their prices. */
export type ErcotCatalogue = Catalogue & { points: readonly ErcotPoint[] }

/**
 * ERCOT's catalogue of `count` settlement points (never fewer than the 19 hubs, load zones and DC
 * ties), deterministic by seed; see the module comment.
 */
export function ercotCatalogue(seed: number, count = DEFAULT_ERCOT_NODE_COUNT): ErcotCatalogue {
  const drafts = new Map<string, ErcotPointCode>()
  for (const code of AGGREGATES) for (const name of words(REAL[code])) drafts.set(name, code)
  const resources = RESOURCES.flatMap((code) => words(REAL[code]).map((name) => ({ name, code }))).sort(byName)
  const wanted = Math.max(0, count - drafts.size)
  // All of them, or an even spread.
  const take = wanted >= resources.length ? resources : Array.from({ length: wanted }, (_, i) => resources[Math.floor((i * resources.length) / wanted)]!)
  for (const r of take) drafts.set(r.name, r.code)
  const u = mulberry32(seed ^ 0x4552434f)
  for (let guard = 0; drafts.size < count && guard < count * 50; guard++) {
    const point = generatedPoint(u)
    if (!drafts.has(point.name)) drafts.set(point.name, point.code)
  }
  const nodes: { name: string; type: NodeType }[] = []
  for (const [name, code] of drafts) {
    nodes.push({ name, type: NODE_TYPE[code] })
    if (code === 'LZ' || code === 'LZ_DC') nodes.push({ name: `${name}_EW`, type: 'zone' })
  }
  const catalogue = laterCatalogue('ERCOT', nodes, seed)
  const points = [...drafts]
    .map(([name, code]) => ({ name, code, node: catalogue.byName.get(name)!, ew: catalogue.byName.get(`${name}_EW`) ?? null }))
    .sort(byName)
  return { ...catalogue, points }
}

// ---------------------------------------------------------------- documents

const QUARTER = 15 * MINUTE
/** DocIDs: BASE + ((index x 2 + report) x 2 + xml), index = the delivery day (days since 1970) or the RT interval end (quarters since 1970). */
const DOC_BASE = 1_100_000_000

export function ercotDocId(report: ErcotReport, index: number, xml: boolean): string {
  return String(DOC_BASE + ((index * 2 + (report === 'rt' ? 1 : 0)) * 2 + (xml ? 1 : 0)))
}

/** When DAM delivery day `dayWall` (wall midnight) is posted. */
export function ercotDamPublishedAt(dayWall: number): number {
  return centralInstants(dayWall - DAY + ERCOT_SCHEDULE.damPublishedAtWallMs)[0] as number
}

/** The end (23:59:59 Central) of the day `days` after the day of `publishedAt`. */
const expiry = (publishedAt: number, days: number) => centralMidnight(centralDayOf(publishedAt) + (days + 1) * DAY) - 1000

function damDoc(dayWall: number, xml: boolean, points: number): ErcotDoc {
  const publishedAt = ercotDamPublishedAt(dayWall)
  const hours = ercotDayHours(dayWall).length
  return {
    report: 'dam',
    docId: ercotDocId('dam', dayWall / DAY, xml),
    xml,
    start: centralMidnight(dayWall),
    end: centralMidnight(dayWall + DAY),
    publishedAt,
    expiresAt: expiry(publishedAt, ERCOT_SCHEDULE.keepDays.dam),
    rows: points * hours,
  }
}

function rtDoc(end: number, xml: boolean, rows: number): ErcotDoc {
  const publishedAt = end + ERCOT_SCHEDULE.rtPublishedAfterEndMs
  const expiresAt = expiry(publishedAt, ERCOT_SCHEDULE.keepDays.rt)
  return { report: 'rt', docId: ercotDocId('rt', end / QUARTER, xml), xml, start: end - QUARTER, end, publishedAt, expiresAt, rows }
}

/** The document a DocID names, or null for one that is not a simulated ERCOT document. */
export function ercotDocOf(docIdText: string, catalogue: ErcotCatalogue): ErcotDoc | null {
  if (!/^\d{10}$/.test(docIdText)) return null
  const k = Number(docIdText) - DOC_BASE
  if (k < 0) return null
  const xml = k % 2 === 1
  const report: ErcotReport = Math.floor(k / 2) % 2 === 1 ? 'rt' : 'dam'
  const index = Math.floor(k / 4)
  const at = report === 'dam' ? index * DAY : index * QUARTER
  // Documents of this century only (a stray real ERCOT DocID decodes to a date far away).
  if (at < Date.UTC(2000, 0, 1) || at >= Date.UTC(2100, 0, 1)) return null
  return report === 'dam' ? damDoc(index * DAY, xml, catalogue.points.length) : rtDoc(index * QUARTER, xml, rtRows(catalogue))
}

const rtRows = (catalogue: ErcotCatalogue) => catalogue.points.reduce((n, p) => n + (p.ew ? 2 : 1), 0)

/** The documents MIS lists for `report` at `now`: posted and not expired, newest first, `_csv` before `_xml`. */
export function ercotListing(report: ErcotReport, now: number, catalogue: ErcotCatalogue): ErcotDoc[] {
  const docs: ErcotDoc[] = []
  if (report === 'dam') {
    let day = centralDayOf(now) + DAY
    if (ercotDamPublishedAt(day) > now) day -= DAY
    for (; ; day -= DAY) {
      const csv = damDoc(day, false, catalogue.points.length)
      if (csv.expiresAt < now) break
      docs.push(csv, damDoc(day, true, catalogue.points.length))
    }
  } else {
    const rows = rtRows(catalogue)
    for (let end = Math.floor((now - ERCOT_SCHEDULE.rtPublishedAfterEndMs) / QUARTER) * QUARTER; ; end -= QUARTER) {
      const csv = rtDoc(end, false, rows)
      if (csv.expiresAt < now) break
      docs.push(csv, rtDoc(end, true, rows))
    }
  }
  return docs
}

// ---------------------------------------------------------------- routes

const LIST_PATH = '/ercot/misapp/servlets/IceDocListJsonWS'
const DOWNLOAD_PATH = '/ercot/misdownload/servlets/mirDownload'
const JSON_TYPE = 'application/json;charset=UTF-8'
const ZIP_TYPE = 'application/zip'
const HTML = 'text/html; charset=utf-8'
const FEEDS = { dam: 'ercot.dam_spp', rt: 'ercot.rt_spp' } as const

const notFound = (): SimAnswer & { published: boolean } => ({
  status: 404,
  type: HTML,
  body: '<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested document is not available.</p></body></html>\n',
  published: false,
})

/** The CSV of a zipped answer broken the way `mode` says, re-zipped; null for modes it does not apply. */
function breakZippedCsv(answer: SimAnswer, mode: FailureMode): SimAnswer | null {
  if (answer.type !== ZIP_TYPE || typeof answer.body === 'string') return null
  const entries = unzipSync(answer.body)
  const [name] = Object.keys(entries)
  if (!name) return null
  const lines = strFromU8(entries[name]!).split('\n')
  const header = lines[0] ?? ''
  const price = header.split(',').findIndex((cell) => cell === 'SettlementPointPrice')
  if (mode === 'changed-header') lines[0] = header.replace('SettlementPointPrice', 'Settlement Point Price')
  else if (mode === 'non-numeric' && lines[1]) {
    const cells = lines[1].split(',')
    cells[price] = 'N/A'
    lines[1] = cells.join(',')
  } else if (mode === 'unknown-node' && lines[1]) {
    // Every row of the file's first point again, under a name no catalogue holds.
    const first = lines[1].split(',')
    const column = header.startsWith('DeliveryDate,HourEnding') ? 2 : 3
    const copies = lines.filter((line) => line.split(',')[column] === first[column]).map((line) => {
      const cells = line.split(',')
      cells[column] = ERCOT_UNKNOWN_NODE
      if (column === 3) cells[4] = 'RN'
      return cells.join(',')
    })
    lines.splice(lines.length - 1, 0, ...copies)
  } else return null
  return { ...answer, body: zipSync({ [name]: strToU8(lines.join('\n')) }) }
}

/**
 * The MIS routes: for each report its list and its downloads, the feeds `ercot.dam_spp` and
 * `ercot.rt_spp`. `nodes` is the number of settlement points (default {@link DEFAULT_ERCOT_NODE_COUNT}).
 */
export function createErcotRoutes(options: { nodes?: number } = {}): readonly MarketRoute[] {
  const catalogues = new WeakMap<PriceModel, ErcotCatalogue>()
  const catalogueOf = (model: PriceModel) => {
    let catalogue = catalogues.get(model)
    if (!catalogue) {
      catalogue = ercotCatalogue(model.seed, options.nodes ?? DEFAULT_ERCOT_NODE_COUNT)
      catalogues.set(model, catalogue)
    }
    return catalogue
  }

  const list = (report: ErcotReport): MarketRoute => ({
    feed: FEEDS[report],
    answer(request: SimRequest, { model, now }) {
      if (request.path !== LIST_PATH || request.params.get('reportTypeId') !== String(ERCOT_REPORTS[report].typeId)) return null
      return { status: 200, type: JSON_TYPE, body: ercotDocListJson(ercotListing(report, now, catalogueOf(model))), published: true }
    },
  })

  const download = (report: ErcotReport): MarketRoute => ({
    feed: FEEDS[report],
    async answer(request: SimRequest, { model, now }) {
      if (request.path !== DOWNLOAD_PATH) return null
      const catalogue = catalogueOf(model)
      const doc = ercotDocOf(request.params.get('doclookupId') ?? '', catalogue)
      if (!doc || doc.report !== report) return null
      // Not posted yet, expired, or the XML variant (not simulated): MIS has no such file.
      if (doc.publishedAt > now || doc.expiresAt < now || doc.xml) return notFound()
      const csv =
        report === 'dam' ? ercotDamCsv(model, catalogue.points, centralDayOf(doc.start)) : ercotRtCsv(model, catalogue.points, doc.start)
      const body = await zipBytes([{ name: ercotCsvName(doc), chunks: [csv] }], { mtime: new Date(doc.publishedAt) })
      return {
        status: 200,
        type: ZIP_TYPE,
        body,
        headers: { 'Content-Disposition': `attachment; filename="${ercotConstructedName(doc)}"` },
        published: true,
      }
    },
    breakAnswer: (answer, mode) => breakZippedCsv(answer, mode),
  })

  return [list('dam'), download('dam'), list('rt'), download('rt')]
}

/** The routes of the default, full-size catalogue. */
export const ERCOT_ROUTES: readonly MarketRoute[] = createErcotRoutes()
